package migrate

import (
	"fmt"
	"strings"
)

// iniEntry is one key of an .ini section, with the line it starts on.
type iniEntry struct {
	Key, Value string
	Line       int
}

// iniFile is a parsed .ini file: sections in order, each with its entries
// in order. The DEFAULT section's entries are kept apart.
type iniFile struct {
	Sections map[string][]iniEntry
	Order    []string
}

// parseINI reads an .ini file as Python's configparser does for
// PasteDeploy (the loader of pyramid and pypicloud): `[section]` headers,
// `key = value` or `key: value` (the first = or : splits), keys kept as
// written (PasteDeploy does not lower-case them), values stripped,
// continuation lines indented deeper than their key appended with a
// newline, whole-line comments starting with # or ;. As with configparser's
// strict mode, a repeated section or a repeated key within a section is an
// error. Interpolation (%(here)s) is not done.
func parseINI(data string) (*iniFile, error) {
	f := &iniFile{Sections: map[string][]iniEntry{}}
	section, keyIndent := "", -1
	seen := map[string]map[string]int{}
	for n, line := range strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		entries := f.Sections[section]
		if keyIndent >= 0 && indent > keyIndent && len(entries) > 0 {
			last := &entries[len(entries)-1]
			last.Value = strings.TrimLeft(last.Value+"\n"+trimmed, "\n")
			continue
		}
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			section, keyIndent = trimmed[1:len(trimmed)-1], -1
			if _, dup := f.Sections[section]; dup {
				return nil, fmt.Errorf("line %d: section [%s] is repeated", n+1, section)
			}
			f.Sections[section], seen[section] = nil, map[string]int{}
			f.Order = append(f.Order, section)
			continue
		}
		e, err := iniKeyValue(n+1, section, trimmed, seen[section])
		if err != nil {
			return nil, err
		}
		f.Sections[section] = append(entries, e)
		keyIndent = indent
	}
	return f, nil
}

func iniKeyValue(line int, section, s string, seen map[string]int) (iniEntry, error) {
	if section == "" {
		return iniEntry{}, fmt.Errorf("line %d: %q comes before any [section]", line, s)
	}
	i := strings.IndexAny(s, "=:")
	if i <= 0 {
		return iniEntry{}, fmt.Errorf("line %d: %q is not key = value", line, s)
	}
	key := strings.TrimSpace(s[:i])
	if first, dup := seen[key]; dup {
		return iniEntry{}, fmt.Errorf("line %d: %s is repeated in [%s] (first on line %d)", line, key, section, first)
	}
	seen[key] = line
	return iniEntry{Key: key, Value: strings.TrimSpace(s[i+1:]), Line: line}, nil
}

// settings are a section's entries over the DEFAULT section's, as
// configparser gives them to the application.
func (f *iniFile) settings(section string) []iniEntry {
	own := map[string]bool{}
	for _, e := range f.Sections[section] {
		own[e.Key] = true
	}
	var out []iniEntry
	for _, e := range f.Sections["DEFAULT"] {
		if !own[e.Key] {
			out = append(out, e)
		}
	}
	return append(out, f.Sections[section]...)
}

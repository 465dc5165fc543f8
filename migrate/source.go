package migrate

import "fmt"

// Sources are the legacy systems a plan can be built from, each with its
// own input format (docs/migration.md).
var Sources = []string{"tsuru", "deis", "pypicloud"}

// Parse validates a legacy input and maps it onto its plan: a tsuru
// snapshot (FORMAT.md), a Deis snapshot (JSON) or a pypicloud .ini file.
func Parse(source string, data []byte) (*Plan, error) {
	switch source {
	case "tsuru":
		s, err := ParseTsuru(data)
		if err != nil {
			return nil, err
		}
		return s.Plan(), nil
	case "deis":
		s, err := ParseDeis(data)
		if err != nil {
			return nil, err
		}
		return s.Plan(), nil
	case "pypicloud":
		c, err := ParsePypicloud(data)
		if err != nil {
			return nil, err
		}
		return c.Plan(), nil
	}
	return nil, fmt.Errorf("unknown migration source %q (one of %v)", source, Sources)
}

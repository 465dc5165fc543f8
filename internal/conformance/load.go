package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Load parses the scenarios named by paths: files, or folders whose *.json
// files (not recursive) are taken in name order. Every file that cannot be
// read or parsed, and a folder with no *.json file, is an error naming it;
// the errors are joined and the scenarios that did parse are returned with
// them, so a caller may still run those but must report failure.
func Load(paths []string) ([]*Scenario, error) {
	if len(paths) == 0 {
		return nil, errors.New("no scenario file or folder given")
	}
	var scs []*Scenario
	var errs []error
	for _, p := range paths {
		files, err := scenarioFiles(p)
		if err != nil {
			errs = append(errs, err)
		}
		for _, f := range files {
			sc, err := loadFile(f)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			scs = append(scs, sc)
		}
	}
	return scs, errors.Join(errs...)
}

// scenarioFiles lists path itself, or a folder's *.json files by name.
func scenarioFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.json scenario file in this folder", path)
	}
	return files, nil
}

func loadFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

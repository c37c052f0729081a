package harness

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pynomaly/pynomaly/agent/nab"
)

// Paths of NAB's data and windows under its root folder.
const (
	dataDir     = "data"
	windowsFile = "labels/combined_windows.json"
)

// corpusFile is one data file: its name as the labels key it (the path
// under data/, with forward slashes), its path, and its windows.
type corpusFile struct {
	name, path string
	spans      []nab.Span
}

// listCorpus pairs NAB's data files with their windows. Every data file
// must be labelled and every labelled file present: scoring part of the
// corpus would give a score that compares with nothing.
func listCorpus(root string) ([]corpusFile, error) {
	if fi, err := os.Stat(filepath.Join(root, dataDir)); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: no %s folder: give --data the NAB folder holding data/ and labels/", root, dataDir)
	}
	spans, err := nab.ReadWindows(filepath.Join(root, windowsFile))
	if err != nil {
		return nil, err
	}
	names, err := dataFiles(filepath.Join(root, dataDir))
	if err != nil {
		return nil, err
	}
	files := make([]corpusFile, 0, len(names))
	for _, name := range names {
		s, ok := spans[name]
		if !ok {
			return nil, fmt.Errorf("%s: data file %s has no entry in %s", root, name, windowsFile)
		}
		files = append(files, corpusFile{name: name, path: filepath.Join(root, dataDir, filepath.FromSlash(name)), spans: s})
	}
	for name := range spans {
		if !slices.Contains(names, name) {
			return nil, fmt.Errorf("%s: %s labels %s, which is not under %s/", root, windowsFile, name, dataDir)
		}
	}
	return files, nil
}

// dataFiles lists the CSV files under dir, sorted, as slash paths relative
// to it.
func dataFiles(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".csv") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list data files: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no .csv files", dir)
	}
	slices.Sort(names)
	return names, nil
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/permledger/permledger/internal/strictjson"
)

// loginFile is what `permledger login` keeps: the server it logged in to,
// the user and its token. It lives in DIR/login.json, mode 0600, DIR being
// PERMLEDGER_CONFIG_DIR, else the user's config dir + /permledger (mode
// 0700): $XDG_CONFIG_HOME or ~/.config on Unix, ~/Library/Application
// Support on macOS, %AppData% on Windows.
type loginFile struct {
	Server string `json:"server"`
	User   string `json:"user"`
	Token  string `json:"token"`
}

const loginFileName = "login.json"

// loginPath is the login file's path.
func loginPath(e *environ) (string, error) {
	if dir := e.getenv("PERMLEDGER_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, loginFileName), nil
	}
	dir, err := userConfigDir(e)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "permledger", loginFileName), nil
}

// userConfigDir is os.UserConfigDir read from the environment run was
// given (not the process's), so that tests stay away from the user's own.
func userConfigDir(e *environ) (string, error) {
	var dir string
	switch runtime.GOOS {
	case "windows":
		dir = e.getenv("AppData")
	case "darwin", "ios":
		if home := e.getenv("HOME"); home != "" {
			dir = filepath.Join(home, "Library", "Application Support")
		}
	default:
		dir = e.getenv("XDG_CONFIG_HOME")
		if home := e.getenv("HOME"); dir == "" && home != "" {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir == "" || !filepath.IsAbs(dir) {
		return "", errors.New("no config dir: set PERMLEDGER_CONFIG_DIR (or HOME)")
	}
	return dir, nil
}

// readLogin reads the login file; none is an empty loginFile.
func readLogin(e *environ) (loginFile, error) {
	var lf loginFile
	path, err := loginPath(e)
	if err != nil {
		return lf, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return lf, nil
	}
	if err != nil {
		return lf, err
	}
	if err := strictjson.Unmarshal(b, &lf); err != nil {
		return loginFile{}, fmt.Errorf("%s: %w", path, err)
	}
	return lf, nil
}

// writeLogin replaces the login file, private from its creation.
func writeLogin(e *environ, lf loginFile) (string, error) {
	path, err := loginPath(e)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(lf, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(path), ".login-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// removeLogin removes the login file; it reports whether there was one.
func removeLogin(e *environ) (string, bool, error) {
	path, err := loginPath(e)
	if err != nil {
		return "", false, err
	}
	err = os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, false, nil
	}
	return path, err == nil, err
}

//go:build unix && !linux

package readmodel

func adviseHugePages([]byte) {}

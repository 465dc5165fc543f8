//go:build unix

package readmodel

import "syscall"

// allocChunk maps anonymous memory: outside the Go heap, so the garbage
// collector neither scans it nor grows the heap target by it.
func allocChunk(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n)
	}
	adviseHugePages(b)
	return b
}

// freeChunk unmaps a chunk. For a chunk from make (mmap failed) Munmap
// answers EINVAL without touching it, and the garbage collector frees it.
func freeChunk(b []byte) { _ = syscall.Munmap(b) }

//go:build !unix

package readmodel

func allocChunk(n int) []byte { return make([]byte, n) }

func freeChunk([]byte) {}

package readmodel

import "syscall"

// adviseHugePages asks for transparent huge pages: lookups spread over
// hundreds of MiB miss the TLB far less with 2 MiB pages.
func adviseHugePages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_HUGEPAGE) }

package readmodel

import "errors"

var errStopScan = errors.New("stop scan")

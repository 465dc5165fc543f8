package feed

import "github.com/permledger/permledger/readmodel"

// ComputeRecords turns one log message into its records, as Compute does,
// without a feed stream: for a reader of the read model's history that
// publishes nothing (`permledger migrate diff` shows a run's changes).
func ComputeRecords(store *readmodel.Store, seq uint64, data []byte) ([]Record, error) {
	return (&Feed{store: store}).Compute(seq, data)
}

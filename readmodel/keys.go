package readmodel

import (
	"encoding/binary"
)

// Key prefixes. Each is one byte-string followed by '/', then the key's parts.
// Names inside keys are followed by 0x00 where a sequence follows, so that a
// prefix scan of one name never runs into a longer name.
var (
	keyApplied  = []byte("s/applied")  // uint64: last applied stream sequence
	keySettings = []byte("s/settings") // Settings JSON
	keyCatalog  = []byte("s/catalog")  // catalog JSON in force
	pUser       = []byte("u/")         // u/<user> -> User JSON (current)
	pUserHist   = []byte("uh/")        // uh/<user>\0<seq> -> User JSON as of seq ("" = absent)
	pUserEvents = []byte("ue/")        // ue/<user>\0<seq> -> "" : the message at seq changed the user
	pRole       = []byte("r/")         // r/<role> -> Role JSON (current)
	pRoleHist   = []byte("rh/")        // rh/<role>\0<seq> -> Role JSON as of seq ("" = absent)
	pRoleHolder = []byte("ra/")        // ra/<role>\0<user>\0<value> -> "" : assignment index
	pTeam       = []byte("t/")         // t/<team> -> Team JSON
	pAdmin      = []byte("ad/")        // ad/<user> -> "" : active admins
	pToken      = []byte("k/")         // k/<token hash> -> Token JSON
	pUserToken  = []byte("uk/")        // uk/<user>\0<token hash> -> ""
	pRegToken   = []byte("rt/")        // rt/<token hash> -> RegToken JSON
	pCommand    = []byte("c/")         // c/<command id> -> Command JSON
	pCatHist    = []byte("hc/")        // hc/<seq> -> catalog JSON in force from seq
	pTime       = []byte("tm/")        // tm/<unix nanos><seq> -> "" : message time index
	pGlobal     = []byte("ge/")        // ge/<seq> -> "" : the message changed every user (tokens.revoked_all)
)

func key(prefix []byte, parts ...string) []byte {
	n := len(prefix)
	for _, p := range parts {
		n += len(p) + 1
	}
	return appendKey(make([]byte, 0, n), prefix, parts...)
}

// appendKey appends key(prefix, parts...) to dst.
func appendKey(dst, prefix []byte, parts ...string) []byte {
	dst = append(dst, prefix...)
	for i, p := range parts {
		if i > 0 {
			dst = append(dst, 0)
		}
		dst = append(dst, p...)
	}
	return dst
}

// seqKey is prefix + name + 0x00 + big-endian seq.
func seqKey(prefix []byte, name string, seq uint64) []byte {
	return appendSeqKey(make([]byte, 0, len(prefix)+len(name)+9), prefix, name, seq)
}

// appendSeqKey appends seqKey(prefix, name, seq) to dst.
func appendSeqKey(dst, prefix []byte, name string, seq uint64) []byte {
	dst = append(appendKey(dst, prefix, name), 0)
	return binary.BigEndian.AppendUint64(dst, seq)
}

// nameScope is the [lower, upper) range of every key prefix + name + 0x00 ...
func nameScope(prefix []byte, name string) (lower, upper []byte) {
	lower = append(key(prefix, name), 0)
	upper = append(key(prefix, name), 1)
	return lower, upper
}

// prefixEnd returns the smallest key greater than every key with prefix p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func u64bytes(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

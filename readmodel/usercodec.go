package readmodel

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/permledger/permledger/policy"
)

// User documents (u/ and uh/ values) are binary: a check decodes one per
// call, and JSON decoding was most of a check's time (issue 7). The format:
//
//	0x01                                 format marker (JSON starts with '{')
//	name, created seq, password hash, status, flags (bit 0: admin)
//	provenance table: count, then each distinct provenance once:
//	  seq, unix seconds, nanoseconds, zone offset seconds, actor, command id, run id
//	the document's provenance, as an index into the table
//	assignments: count, then role, value, provenance index
//	overrides: count, then permission, context, allow, provenance index
//
// Integers are varints, strings a length then the bytes. The table is in
// order of first use, so equal documents encode to equal bytes (Digest and
// Diff compare bytes). Documents written as JSON by earlier builds still
// decode.
const userFormat = 0x01

// errBadUser is returned for a user document that does not decode.
var errBadUser = errors.New("readmodel: malformed user document")

// encodeUser appends u's binary document to dst.
func encodeUser(dst []byte, u *User) []byte {
	provs := newProvTable(u)
	dst = append(dst, userFormat)
	dst = appendString(dst, u.Name)
	dst = binary.AppendUvarint(dst, u.CreatedSeq)
	dst = appendString(dst, u.PasswordHash)
	dst = appendString(dst, u.Status)
	var flags byte
	if u.Admin {
		flags |= 1
	}
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(provs.list)))
	for _, p := range provs.list {
		dst = appendProv(dst, p)
	}
	dst = binary.AppendUvarint(dst, uint64(provs.index(u.Prov)))
	dst = binary.AppendUvarint(dst, uint64(len(u.Assignments)))
	for _, a := range u.Assignments {
		dst = appendString(dst, a.Role)
		dst = appendString(dst, a.Value)
		dst = binary.AppendUvarint(dst, uint64(provs.index(a.Prov)))
	}
	dst = binary.AppendUvarint(dst, uint64(len(u.Overrides)))
	for _, o := range u.Overrides {
		dst = appendString(dst, o.Permission)
		dst = appendString(dst, o.Context)
		dst = appendBool(dst, o.Allow)
		dst = binary.AppendUvarint(dst, uint64(provs.index(o.Prov)))
	}
	return dst
}

// provTable lists a document's distinct provenances in order of first use,
// compared by value (not by time.Time's internal representation).
type provTable struct {
	list    []policy.Provenance
	keys    []provKey
	idx     map[provKey]int   // made once the table outgrows a linear search
	last    policy.Provenance // the last one added or looked up, and its index:
	lastIdx int               // holdings next to each other mostly share one
}

type provKey struct {
	seq                   uint64
	sec                   int64
	nsec, off             int
	actor, command, runID string
}

func keyOf(p policy.Provenance) provKey {
	_, off := p.Time.Zone()
	return provKey{p.Seq, p.Time.Unix(), p.Time.Nanosecond(), off, p.Actor, p.CommandID, p.RunID}
}

func newProvTable(u *User) *provTable {
	t := &provTable{}
	t.add(u.Prov)
	for _, a := range u.Assignments {
		t.add(a.Prov)
	}
	for _, o := range u.Overrides {
		t.add(o.Prov)
	}
	return t
}

func (t *provTable) add(p policy.Provenance) {
	if len(t.list) > 0 && p == t.last {
		return
	}
	k := keyOf(p)
	i, ok := t.find(k)
	if !ok {
		i = len(t.list)
		t.list, t.keys = append(t.list, p), append(t.keys, k)
		if t.idx != nil {
			t.idx[k] = i
		} else if len(t.list) > 8 {
			t.idx = make(map[provKey]int, 2*len(t.keys))
			for j, k := range t.keys {
				t.idx[k] = j
			}
		}
	}
	t.last, t.lastIdx = p, i
}

func (t *provTable) find(k provKey) (int, bool) {
	if t.idx != nil {
		i, ok := t.idx[k]
		return i, ok
	}
	for i, x := range t.keys {
		if x == k {
			return i, true
		}
	}
	return 0, false
}

func (t *provTable) index(p policy.Provenance) int {
	if p == t.last {
		return t.lastIdx
	}
	i, _ := t.find(keyOf(p))
	t.last, t.lastIdx = p, i
	return i
}

func appendProv(dst []byte, p policy.Provenance) []byte {
	dst = binary.AppendUvarint(dst, p.Seq)
	_, off := p.Time.Zone()
	dst = binary.AppendVarint(dst, p.Time.Unix())
	dst = binary.AppendUvarint(dst, uint64(p.Time.Nanosecond()))
	dst = binary.AppendVarint(dst, int64(off))
	dst = appendString(dst, p.Actor)
	dst = appendString(dst, p.CommandID)
	return appendString(dst, p.RunID)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// decodeUser decodes a user document, binary or (from earlier builds) JSON.
func decodeUser(b []byte, u *User) error {
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, u); err != nil {
			return fmt.Errorf("%w: %v", errBadUser, err)
		}
		return nil
	}
	if len(b) == 0 || b[0] != userFormat {
		return fmt.Errorf("%w: unknown format", errBadUser)
	}
	// One string holds the whole document: every string field is a
	// substring of it, so decoding allocates once for all of them.
	d := userDecoder{s: string(b[1:])}
	d.user(u)
	if d.err != nil {
		return d.err
	}
	if d.i != len(d.s) {
		return fmt.Errorf("%w: %d trailing bytes", errBadUser, len(d.s)-d.i)
	}
	return nil
}

type userDecoder struct {
	s   string
	i   int
	err error
}

func (d *userDecoder) user(u *User) {
	u.Name = d.str()
	u.CreatedSeq = d.uvarint()
	u.PasswordHash = d.str()
	u.Status = d.str()
	u.Admin = d.byte()&1 != 0
	provs := make([]policy.Provenance, d.count(7))
	for i := range provs {
		provs[i] = d.prov()
	}
	u.Prov = d.provAt(provs)
	if n := d.count(3); n > 0 {
		u.Assignments = make([]policy.Assignment, n)
		for i := range u.Assignments {
			u.Assignments[i] = policy.Assignment{Role: d.str(), Value: d.str(), Prov: d.provAt(provs)}
		}
	}
	if n := d.count(4); n > 0 {
		u.Overrides = make([]policy.Override, n)
		for i := range u.Overrides {
			u.Overrides[i] = policy.Override{Permission: d.str(), Context: d.str(), Allow: d.byte() == 1, Prov: d.provAt(provs)}
		}
	}
}

func (d *userDecoder) prov() policy.Provenance {
	p := policy.Provenance{Seq: d.uvarint()}
	sec, nsec, off := d.varint(), d.uvarint(), d.varint()
	if nsec >= 1e9 {
		d.fail("nanoseconds out of range")
	}
	p.Time = time.Unix(sec, int64(nsec)).UTC()
	if off != 0 {
		p.Time = p.Time.In(time.FixedZone("", int(off)))
	}
	p.Actor, p.CommandID, p.RunID = d.str(), d.str(), d.str()
	return p
}

func (d *userDecoder) provAt(provs []policy.Provenance) policy.Provenance {
	i := d.uvarint()
	if i >= uint64(len(provs)) {
		d.fail("provenance index out of range")
		return policy.Provenance{}
	}
	return provs[i]
}

// count reads an element count, refusing one that cannot fit in the rest
// of the document (each element takes at least min bytes).
func (d *userDecoder) count(min int) int {
	n := d.uvarint()
	if n > uint64((len(d.s)-d.i)/min) {
		d.fail("count out of range")
		return 0
	}
	return int(n)
}

func (d *userDecoder) uvarint() uint64 {
	var x uint64
	for shift := uint(0); d.err == nil; shift += 7 {
		if d.i >= len(d.s) || shift > 63 {
			d.fail("bad varint")
			return 0
		}
		c := d.s[d.i]
		d.i++
		if c < 0x80 {
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
	}
	return 0
}

func (d *userDecoder) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (d *userDecoder) byte() byte {
	if d.err != nil || d.i >= len(d.s) {
		d.fail("truncated")
		return 0
	}
	d.i++
	return d.s[d.i-1]
}

func (d *userDecoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.s)-d.i) {
		d.fail("string out of range")
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
}

func (d *userDecoder) fail(why string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d", errBadUser, why, d.i+1)
	}
}

// getUser reads and decodes the user document at k; nil if there is none.
// It decodes straight from Pebble's buffer: the decoder copies what it keeps.
func getUser(r reader, k []byte) (*User, error) {
	v, closer, err := r.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("readmodel: get %q: %w", k, err)
	}
	defer closer.Close()
	var u User
	if err := decodeUser(v, &u); err != nil {
		return nil, fmt.Errorf("readmodel: decode %q: %w", k, err)
	}
	return &u, nil
}

package surprise

// blockSize is how many values one block of the range channel's memory
// summarises by its extremes.
const blockSize = 100

// reference is the range of the values folded into it over about the last
// History of them: the extremes of whole blocks of blockSize values, the
// oldest block forgotten as a new one completes, and of the block being
// filled. Old extremes expire, so a glitch a season ago does not hide a new
// one today; blocks keep that to a few hundred bytes.
type reference struct {
	los, his ring    // completed blocks' extremes, oldest first
	lo, hi   float64 // the block being filled; stale while it is empty
	n        uint64  // values folded, all time
	// blockLo and blockHi are the extremes of los and his, kept as blocks
	// complete so that bounds costs nothing per point; not state.
	blockLo, blockHi float64
}

func newReference(o Options) reference {
	k := (o.History + blockSize - 1) / blockSize
	r := reference{los: newRing(k), his: newRing(k)}
	r.summarise()
	return r
}

func (r *reference) fold(v float64) {
	if r.n%blockSize == 0 {
		r.lo, r.hi = v, v
	}
	r.lo, r.hi = min(r.lo, v), max(r.hi, v)
	r.n++
	if r.n%blockSize == 0 {
		r.los.push(r.lo)
		r.his.push(r.hi)
		r.summarise()
	}
}

// summarise recomputes the completed blocks' extremes.
func (r *reference) summarise() {
	r.blockLo, r.blockHi = maxAbs, -maxAbs
	for _, v := range r.los.buf[:r.los.n] {
		r.blockLo = min(r.blockLo, v)
	}
	for _, v := range r.his.buf[:r.his.n] {
		r.blockHi = max(r.blockHi, v)
	}
}

// bounds returns the range, ok false while nothing was folded.
func (r *reference) bounds() (lo, hi float64, ok bool) {
	if r.n == 0 {
		return 0, 0, false
	}
	lo, hi = r.blockLo, r.blockHi
	if r.n%blockSize != 0 {
		lo, hi = min(lo, r.lo), max(hi, r.hi)
	}
	return lo, hi, true
}

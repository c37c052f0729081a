package surprise

// ring holds the last len(buf) values pushed, for looking back at lags.
type ring struct {
	buf  []float64
	head int // index of the next push
	n    int // values held, <= len(buf)
}

func newRing(size int) ring { return ring{buf: make([]float64, size)} }

func (r *ring) push(v float64) {
	r.buf[r.head] = v
	r.head = (r.head + 1) % len(r.buf)
	r.n = min(r.n+1, len(r.buf))
}

// back returns the value pushed k pushes ago, k = 1 being the latest;
// k must be 1..r.n.
func (r *ring) back(k int) float64 {
	return r.buf[(r.head-k+len(r.buf))%len(r.buf)]
}

// values returns the held values, oldest first.
func (r *ring) values() []float64 {
	out := make([]float64, r.n)
	for i := range out {
		out[i] = r.back(r.n - i)
	}
	return out
}

// load replaces the contents with vs, oldest first; len(vs) <= len(r.buf).
func (r *ring) load(vs []float64) {
	clear(r.buf)
	copy(r.buf, vs)
	r.n = len(vs)
	r.head = len(vs) % len(r.buf)
}

// Package zscore is a streaming univariate detector: a robust rolling z-score.
//
// Each instance keeps the last Window values of one series. A new value is
// scored by how many robust standard deviations it lies from the window's
// median, where the standard deviation is estimated from the median absolute
// deviation (MAD). Median and MAD ignore the outliers they are meant to find,
// so a spike does not mask the next one, and the spike itself is kept in the
// window. The z-score is mapped to [0, 1] as the two-sided normal confidence
// erf(z/√2): z = 3 scores 0.9973.
//
// The detector finds point outliers and spikes against the recent level. It
// does not find slow drifts (the window follows them) or seasonal patterns.
//
// An instance is owned by one goroutine at a time, as the sdk requires. It
// keeps the values in arrival order, to know which to evict, and their
// indexes sorted by value (2 bytes each), so the median is an index and the
// MAD a binary search. Values that are short decimals, as most series sent
// as text are ("21.7"), are kept as 2- or 4-byte mantissas of a shared
// power of ten, which give back the very same float64s, so a slot takes
// 4 or 6 bytes; other values take 8, so 10 bytes a slot (decimal.go). The
// slots grow with the values seen, doubling up to Window, so a new series
// holds about 100 bytes. Score costs O(log Window) comparisons plus a shift
// of the indexes between the evicted value's place and the new one's, and
// once the window is full it allocates nothing.
package zscore

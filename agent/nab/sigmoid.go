package nab

import "math"

// scaledSigmoid is NAB's σ_A(y) = 2/(1+e^{5y}) − 1, set to exactly −1 past
// y = 3 so that a false positive far from any window costs the full A_FP.
// It is written as NAB's code computes it (2·logistic(−5y) − 1), so that
// our sums match its scores to the last bits that matter.
func scaledSigmoid(y float64) float64 {
	if y > 3 {
		return -1
	}
	return 2*(1/(1+math.Exp(5*y))) - 1
}

// maxTP is σ_A(−1), the value of a detection on a window's first row; TP
// values are divided by it so that such a detection earns exactly A_TP.
var maxTP = scaledSigmoid(-1)

// tpSigma is the unweighted value of a detection at row i of a window
// L..R: σ_A(−(R−i+1)/W), σ_A(−1) on the first row, near 0 past the last.
func tpSigma(i, left, right int) float64 {
	w := float64(right - left + 1)
	return scaledSigmoid(-float64(right-i+1) / w)
}

// fpSigma is the unweighted (negative) value of a detection at row i
// outside every window, given the right edge and width of the nearest
// window before it (width 0: there is none). A detection just after a
// window costs almost nothing; one three widths on costs the full −1.
func fpSigma(i, prevRight, prevWidth int) float64 {
	if prevWidth == 0 {
		return -1
	}
	if prevWidth == 1 {
		// NAB divides by W′−1, which is 0 here; one-row windows do not
		// occur in its labels. Treat every later row as far away.
		return -1
	}
	return scaledSigmoid(float64(i-prevRight) / float64(prevWidth-1))
}

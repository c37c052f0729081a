package detectortest

import "testing"

// CheckNew is one row of a detector's options table: newFn(opts) must
// fail with exactly wantErr, or, when wantErr is empty, succeed with
// Options() equal to want (opts validated, defaults filled in).
func CheckNew[O comparable, F interface{ Options() O }](tb testing.TB, newFn func(O) (F, error), opts, want O, wantErr string) {
	tb.Helper()
	f, err := newFn(opts)
	if failedAsWanted(tb, "New", opts, err, wantErr) {
		return
	}
	if got := f.Options(); got != want {
		tb.Errorf("Options() = %+v, want %+v", got, want)
	}
}

// CheckParse is one row of a detector's params table: parse(params) must
// fail with exactly wantErr, or, when wantErr is empty, give want.
func CheckParse[O comparable](tb testing.TB, parse func(map[string]string) (O, error), params map[string]string, want O, wantErr string) {
	tb.Helper()
	got, err := parse(params)
	if failedAsWanted(tb, "ParseParams", params, err, wantErr) {
		return
	}
	if got != want {
		tb.Errorf("ParseParams(%v) = %+v, want %+v", params, got, want)
	}
}

// failedAsWanted checks the error of call(arg): exactly wantErr, and then
// true (the row is done), or none when wantErr is empty.
func failedAsWanted(tb testing.TB, call string, arg any, err error, wantErr string) bool {
	tb.Helper()
	if wantErr != "" {
		if err == nil || err.Error() != wantErr {
			tb.Fatalf("%s(%+v) error = %v, want %q", call, arg, err, wantErr)
		}
		return true
	}
	if err != nil {
		tb.Fatalf("%s(%+v): %v", call, arg, err)
	}
	return false
}

package sdktest

import (
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// checkInfo checks Info's fields and that instances are what Info says.
func checkInfo(r reporter, f sdk.Factory, o Options) {
	info := f.Info()
	if again := f.Info(); again != info {
		r.Errorf("Info() returned %+v, then %+v: it must not change", info, again)
	}
	if !validName(info.Name) {
		r.Errorf("Info.Name is %q: want a non-empty id of ASCII letters, digits, '-' and '_' (it is part of every alert id)", info.Name)
	}
	if info.Version == "" {
		r.Errorf("Info.Version is empty: want the version of the algorithm and its state format, e.g. \"1\"")
	}
	if info.Kind != sdk.Streaming && info.Kind != sdk.Batch {
		r.Errorf("Info.Kind is %v: want sdk.Streaming or sdk.Batch", info.Kind)
	}
	if info.MaxDim < 0 {
		r.Errorf("Info.MaxDim is %d: want 0 (any) or the most features a sample may have", info.MaxDim)
	}
	checkNewRejects(r, f, info)
	for _, dim := range o.Dims {
		checkInstanceKind(r, f, info, dim)
	}
}

func validName(s string) bool {
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return s != ""
}

// checkNewRejects checks that New fails cleanly for unsupported dimensions.
func checkNewRejects(r reporter, f sdk.Factory, info sdk.Info) {
	bad := []int{0, -1}
	if info.MaxDim > 0 {
		bad = append(bad, info.MaxDim+1, info.MaxDim+10)
	}
	for _, dim := range bad {
		_, err := call(func() (sdk.Detector, error) { return f.New(dim) })
		if why := wrongErr(err, sdk.ErrInvalidInput); why != "" {
			r.Errorf("New(%d) (MaxDim %d) %s; want an error wrapping sdk.ErrInvalidInput", dim, info.MaxDim, why)
		}
	}
}

// checkInstanceKind checks that an instance implements the optional
// interfaces exactly as Info says.
func checkInstanceKind(r reporter, f sdk.Factory, info sdk.Info, dim int) {
	d, err := call(func() (sdk.Detector, error) { return f.New(dim) })
	switch {
	case err != nil:
		r.Errorf("New(%d): %v", dim, err)
		return
	case d == nil:
		r.Errorf("New(%d) returned a nil Detector and no error", dim)
		return
	}
	if _, ok := d.(sdk.Explainer); ok != info.Explains {
		r.Errorf("Info.Explains is %v, but New(%d) returned %T, which %s sdk.Explainer", info.Explains, dim, d, implements(ok))
	}
	if _, ok := d.(sdk.Fitter); ok != (info.Kind == sdk.Batch) {
		r.Errorf("Info.Kind is %v, but New(%d) returned %T, which %s sdk.Fitter (want Fitter iff Batch)", info.Kind, dim, d, implements(ok))
	}
}

func implements(ok bool) string {
	if ok {
		return "implements"
	}
	return "does not implement"
}

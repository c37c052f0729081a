package params_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

type method string

// opts has one field of each kind Bind serves.
type opts struct {
	Int, NonNeg, Bins int
	Seed              uint64
	Num, Finite       float64
	Method            method
}

// unset marks the fields a case leaves alone: Bind must not touch them.
var unset = opts{Int: 7, NonNeg: 7, Bins: 7, Seed: 7, Num: 7, Finite: 7, Method: "m"}

func (o *opts) fields() params.Fields {
	return params.Fields{
		"int": params.Int(&o.Int), "nonneg": params.NonNegativeInt(&o.NonNeg),
		"bins": params.IntOr(&o.Bins, "auto", -1), "seed": params.Uint(&o.Seed),
		"num": params.Float(&o.Num), "finite": params.FiniteFloat(&o.Finite),
		"method": params.String(&o.Method),
	}
}

func TestBind(t *testing.T) {
	const known = "(known: bins, finite, int, method, nonneg, num, seed)"
	tests := []struct {
		name    string
		kv      map[string]string
		want    func(*opts) // what binding changes, from unset
		wantErr string
	}{
		{name: "none", want: func(*opts) {}},
		{name: "every kind", kv: map[string]string{"int": "-3", "nonneg": "0", "bins": "12", "seed": "18446744073709551615", "num": "-2.5", "finite": "1e-3", "method": "rank"},
			want: func(o *opts) { *o = opts{-3, 0, 12, math.MaxUint64, -2.5, 1e-3, "rank"} }},
		{name: "int with sign", kv: map[string]string{"int": "+4"}, want: func(o *opts) { o.Int = 4 }},
		{name: "word of IntOr", kv: map[string]string{"bins": "auto"}, want: func(o *opts) { o.Bins = -1 }},
		{name: "Float takes Inf", kv: map[string]string{"num": "-Inf"}, want: func(o *opts) { o.Num = math.Inf(-1) }},
		{name: "empty string", kv: map[string]string{"method": ""}, want: func(o *opts) { o.Method = "" }},

		{name: "unknown key", kv: map[string]string{"seeds": "1"}, wantErr: `unknown param "seeds" ` + known},
		{name: "key case matters", kv: map[string]string{"Int": "1"}, wantErr: `unknown param "Int" ` + known},
		{name: "first bad key sorted", kv: map[string]string{"z": "1", "num": "x", "int": "y"}, wantErr: `param int="y": want an integer`},
		{name: "int not a number", kv: map[string]string{"int": "many"}, wantErr: `param int="many": want an integer`},
		{name: "int float", kv: map[string]string{"int": "2.5"}, wantErr: `param int="2.5": want an integer`},
		{name: "int exponent", kv: map[string]string{"int": "1e3"}, wantErr: `param int="1e3": want an integer`},
		{name: "int overflows", kv: map[string]string{"int": "9223372036854775808"}, wantErr: `param int="9223372036854775808": want an integer`},
		{name: "int empty", kv: map[string]string{"int": ""}, wantErr: `param int="": want an integer`},
		{name: "int spaces", kv: map[string]string{"int": " 1"}, wantErr: `param int=" 1": want an integer`},
		{name: "nonneg negative", kv: map[string]string{"nonneg": "-1"}, wantErr: `param nonneg="-1": want a non-negative integer`},
		{name: "nonneg not a number", kv: map[string]string{"nonneg": "two"}, wantErr: `param nonneg="two": want a non-negative integer`},
		{name: "nonneg empty", kv: map[string]string{"nonneg": ""}, wantErr: `param nonneg="": want a non-negative integer`},
		{name: "IntOr other word", kv: map[string]string{"bins": "Auto"}, wantErr: `param bins="Auto": want an integer or auto`},
		{name: "IntOr empty", kv: map[string]string{"bins": ""}, wantErr: `param bins="": want an integer or auto`},
		{name: "uint negative", kv: map[string]string{"seed": "-1"}, wantErr: `param seed="-1": want a non-negative integer`},
		{name: "uint overflows", kv: map[string]string{"seed": "18446744073709551616"}, wantErr: `param seed="18446744073709551616": want a non-negative integer`},
		{name: "uint with sign", kv: map[string]string{"seed": "+1"}, wantErr: `param seed="+1": want a non-negative integer`},
		{name: "uint empty", kv: map[string]string{"seed": ""}, wantErr: `param seed="": want a non-negative integer`},
		{name: "float not a number", kv: map[string]string{"num": "high"}, wantErr: `param num="high": want a number`},
		{name: "float NaN", kv: map[string]string{"num": "NaN"}, wantErr: `param num="NaN": want a number`},
		{name: "float overflows", kv: map[string]string{"num": "1e400"}, wantErr: `param num="1e400": want a number`},
		{name: "float empty", kv: map[string]string{"num": ""}, wantErr: `param num="": want a number`},
		{name: "finite Inf", kv: map[string]string{"finite": "+Inf"}, wantErr: `param finite="+Inf": want a finite number`},
		{name: "finite NaN", kv: map[string]string{"finite": "nan"}, wantErr: `param finite="nan": want a finite number`},
		{name: "finite overflows", kv: map[string]string{"finite": "-1e400"}, wantErr: `param finite="-1e400": want a finite number`},
		{name: "finite empty", kv: map[string]string{"finite": ""}, wantErr: `param finite="": want a finite number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := unset
			err := params.Bind(tc.kv, got.fields())
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Bind error = %v, want %q", err, tc.wantErr)
				}
				if len(tc.kv) == 1 && got != unset {
					t.Errorf("rejected param changed the options: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Bind: %v", err)
			}
			want := unset
			tc.want(&want)
			if got != want {
				t.Errorf("Bind gave %+v, want %+v", got, want)
			}
		})
	}
}

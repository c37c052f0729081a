package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pynomaly/pynomaly/controlplane/auth"
)

func TestAllows(t *testing.T) {
	for _, tc := range []struct {
		role, need string
		want       bool
	}{
		{auth.Admin, auth.Viewer, true}, {auth.Admin, auth.Admin, true}, {auth.Operator, auth.Viewer, true},
		{auth.Operator, auth.Admin, false}, {auth.Viewer, auth.Operator, false}, {"root", auth.Viewer, false}, {"", auth.Viewer, false},
	} {
		if got := auth.Allows(tc.role, tc.need); got != tc.want {
			t.Errorf("Allows(%q, %q) = %v, want %v", tc.role, tc.need, got, tc.want)
		}
	}
}

func TestAccessTokens(t *testing.T) {
	keys := auth.Keys{JWT: []byte("k1-k1-k1-k1-k1-k1-k1-k1-k1-k1-k1"), Secret: []byte("s")}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	p := auth.Principal{Kind: "user", ID: "u1", Name: "alice", Role: auth.Operator}
	tok, err := keys.IssueAccess(p, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := keys.ParseAccess(tok, now.Add(59*time.Minute)); err != nil || got != p {
		t.Errorf("ParseAccess within the hour = %+v, %v", got, err)
	}
	other := auth.Keys{JWT: []byte("k2-k2-k2-k2-k2-k2-k2-k2-k2-k2-k2")}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "u1", "role": "admin", "iss": "pynomaly", "exp": now.Add(time.Hour).Unix()})
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	parts := strings.Split(tok, ".")
	for name, check := range map[string]func() error{
		"expired":         func() error { _, err := keys.ParseAccess(tok, now.Add(61*time.Minute)); return err },
		"another key":     func() error { _, err := other.ParseAccess(tok, now); return err },
		"alg none":        func() error { _, err := keys.ParseAccess(unsigned, now); return err },
		"payload swapped": func() error { _, err := keys.ParseAccess(parts[0]+"."+parts[0]+"."+parts[2], now); return err },
		"garbage":         func() error { _, err := keys.ParseAccess("not a token", now); return err },
	} {
		if check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSecretsAndPasswords(t *testing.T) {
	k := auth.Keys{Secret: []byte("one")}
	key, hash := k.NewAPIKey()
	if !auth.IsAPIKey(key) || k.Hash(key) != hash || (auth.Keys{Secret: []byte("two")}).Hash(key) == hash {
		t.Errorf("api key %q: hash not keyed or not reproducible", key)
	}
	if key2, _ := k.NewAPIKey(); key2 == key {
		t.Error("two keys alike")
	}
	if tok, _ := k.NewRefreshToken(); auth.IsAPIKey(tok) {
		t.Error("a refresh token passes for an API key")
	}
	for p, ok := range map[string]bool{"short": false, "twelve chars": true, strings.Repeat("x", 73): false} {
		if err := auth.CheckPassword(p); (err == nil) != ok {
			t.Errorf("CheckPassword(%d chars) = %v", len(p), err)
		}
	}
	h, err := auth.HashPassword("twelve chars")
	if err != nil || !auth.PasswordMatches(h, "twelve chars") || auth.PasswordMatches(h, "twelve chars!") {
		t.Errorf("bcrypt round trip failed: %v", err)
	}
}

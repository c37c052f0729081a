package protocol_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

var sha = strings.Repeat("ab", 32)

func TestDesiredHash(t *testing.T) {
	a := protocol.DesiredState{Pipeline: "decision: {threshold: 0.9}\n",
		Models: []protocol.ModelAssignment{{Input: "line", Name: "m", Version: "1", SHA256: sha}}}
	b := a
	b.UpdatedAt = time.Now()
	if a.Hash() != b.Hash() {
		t.Errorf("hash depends on UpdatedAt")
	}
	c := a
	c.Models = []protocol.ModelAssignment{{Input: "line", Name: "m", Version: "2", SHA256: sha}}
	if a.Hash() == c.Hash() || len(a.Hash()) != 16 {
		t.Errorf("hashes %s and %s: want 16 hex digits, differing with the model", a.Hash(), c.Hash())
	}
	enc, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := protocol.DecodeDesired(enc)
	if err != nil || got.Hash() != a.Hash() || got.Version != protocol.DesiredVersion {
		t.Errorf("round trip: %+v, %v", got, err)
	}
}

func TestDecodeDesiredBad(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want error
		msg  string
	}{
		{`{"v":1,`, protocol.ErrInvalidMessage, "decode desired state"},
		{`{"v":2}`, protocol.ErrUnsupportedVersion, "version 2"},
		{`{}`, protocol.ErrUnsupportedVersion, "version 0"},
		{`{"v":1,"models":[{"input":"a","name":"m","version":"1","sha256":"` + sha + `"},{"input":"a","name":"n","version":"1","sha256":"` + sha + `"}]}`,
			protocol.ErrInvalidMessage, "input a has more than one model"},
		{`{"v":1,"models":[{"input":"a","name":"m","version":"1","sha256":"xyz"}]}`, protocol.ErrInvalidMessage, "not 64 hex digits"},
		{`{"v":1,"models":[{"input":"","name":"m","version":"1","sha256":"` + sha + `"}]}`, protocol.ErrInvalidMessage, "input is empty"},
		{`{"v":1,"models":[{"input":"a","name":"../m","version":"1","sha256":"` + sha + `"}]}`, protocol.ErrInvalidMessage, `model name "../m"`},
	} {
		_, err := protocol.DecodeDesired([]byte(tc.doc))
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("DecodeDesired(%s) = %v, want %v containing %q", tc.doc, err, tc.want, tc.msg)
		}
	}
}

package natsauth

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nkeys"
)

func TestAgentPermissionsAreScoped(t *testing.T) {
	p := AgentPermissions("edge-1", []ModelGrant{{Object: "m/2", NUID: "NUIDB"}, {Object: "m/1", NUID: "NUIDA"}})
	for _, s := range append(slices.Clone(p.Pub.Allow), p.Sub.Allow...) {
		// Every allowed subject names this agent, one of its models, or a
		// stream-wide operation that reads nothing (stream info, flow
		// control, deleting its own consumers).
		ok := strings.Contains(s, "edge-1") || strings.Contains(s, "NUID") || strings.Contains(s, ModelMetaSubject("m/1")) ||
			strings.Contains(s, ModelMetaSubject("m/2")) || strings.Contains(s, ".INFO.") || strings.HasPrefix(s, "$JS.FC.") ||
			strings.Contains(s, ".CONSUMER.DELETE.")
		if !ok || strings.HasSuffix(s, ".>") && !strings.HasPrefix(s, "$JS.FC.") && !strings.HasPrefix(s, "_INBOX_edge-1.") {
			t.Errorf("permission %q reaches beyond edge-1", s)
		}
	}
	if len(p.Pub.Deny) != 0 || len(p.Sub.Deny) != 0 {
		t.Errorf("deny lists %v %v: allow lists alone should scope", p.Pub.Deny, p.Sub.Deny)
	}
	// Grants come out in one order whatever order they came in, so
	// comparing grants (Refresh) does not see a change where there is none.
	q := AgentPermissions("edge-1", []ModelGrant{{Object: "m/1", NUID: "NUIDA"}, {Object: "m/2", NUID: "NUIDB"}})
	if !slices.Equal(p.Pub.Allow, q.Pub.Allow) {
		t.Errorf("permissions depend on the order of grants")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	user, _ := nkeys.CreateUser()
	acct, _ := nkeys.CreateAccount()
	verify := func(context.Context, string, string) error { return nil }
	grants := func(context.Context, string) ([]ModelGrant, error) { return nil, nil }
	if _, err := New(Options{Issuer: user, Account: "A", Verify: verify, Grants: grants}); err == nil || !strings.Contains(err.Error(), "not an account key") {
		t.Errorf("user key as issuer: %v", err)
	}
	if _, err := New(Options{Issuer: acct, Verify: verify, Grants: grants}); err == nil {
		t.Error("no account: accepted")
	}
	if _, err := New(Options{Issuer: acct, Account: "A", Verify: verify, Grants: grants}); err != nil {
		t.Errorf("good options: %v", err)
	}
}

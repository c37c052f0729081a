package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

func policy(name, selector string, priority int, pipeline string) store.Policy {
	return store.Policy{Name: name, Selector: selector, Priority: priority, Pipeline: pipeline,
		Models: []store.PolicyModel{{Input: "line-3", Name: "pump", Version: "1"}}, UpdatedBy: "ops", UpdatedAt: t0}
}

func revisions(t *testing.T, s *store.Store, name string) []string {
	t.Helper()
	revs, err := s.PolicyRevisions(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range revs {
		out = append(out, fmt.Sprintf("%d:%s<-%d", p.Revision, p.Pipeline, p.RestoredFrom))
	}
	return out
}

// TestPolicyLifecycle: create, apply (a no-op when nothing changed), roll
// back and forth, delete; each step's revisions.
func TestPolicyLifecycle(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()
	created, err := s.CreatePolicy(ctx, policy("pumps", "site=a", 10, "a"))
	if err != nil || created.Revision != 1 || !created.CreatedAt.Equal(t0) || created.UpdatedBy != "ops" {
		t.Fatalf("CreatePolicy = %+v, %v", created, err)
	}
	if _, err := s.CreatePolicy(ctx, policy("pumps", "site=b", 1, "x")); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreatePolicy of a taken name: %v, want ErrExists", err)
	}
	steps := []struct {
		name    string
		do      func() (store.PolicyWrite, error)
		changed bool
		want    []string // revisions, newest first, as rev:pipeline<-restored_from
	}{
		{"same content", func() (store.PolicyWrite, error) { return s.ApplyPolicy(ctx, policy("pumps", "site=a", 10, "a")) },
			false, []string{"1:a<-0"}},
		{"new content", func() (store.PolicyWrite, error) { return s.ApplyPolicy(ctx, policy("pumps", "site=a", 10, "b")) },
			true, []string{"2:b<-0", "1:a<-0"}},
		{"roll back", func() (store.PolicyWrite, error) { return s.RollbackPolicy(ctx, "pumps", 0, "ops", t0) },
			true, []string{"3:a<-1", "2:b<-0", "1:a<-0"}},
		{"roll back the rollback", func() (store.PolicyWrite, error) { return s.RollbackPolicy(ctx, "pumps", 0, "ops", t0) },
			true, []string{"4:b<-2", "3:a<-1", "2:b<-0", "1:a<-0"}},
		{"roll back to a revision with the content in force", func() (store.PolicyWrite, error) { return s.RollbackPolicy(ctx, "pumps", 2, "ops", t0) },
			false, []string{"4:b<-2", "3:a<-1", "2:b<-0", "1:a<-0"}},
	}
	for _, st := range steps {
		w, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := revisions(t, s, "pumps")
		if w.Changed != st.changed || !slices.Equal(got, st.want) || w.Old == nil {
			t.Errorf("%s: changed %v, old %v, revisions %v; want changed %v, revisions %v", st.name, w.Changed, w.Old, got, st.changed, st.want)
		}
		if cur, err := s.GetPolicy(ctx, "pumps"); err != nil || cur.Revision != w.Policy.Revision || !cur.SameContent(w.Policy) {
			t.Errorf("%s: GetPolicy = %+v, %v; want %+v", st.name, cur, err, w.Policy)
		}
	}
	for _, to := range []int64{4, 5, -1} {
		if _, err := s.RollbackPolicy(ctx, "pumps", to, "ops", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RollbackPolicy to %d: %v, want ErrNotFound", to, err)
		}
	}
	old, err := s.DeletePolicy(ctx, "pumps")
	if err != nil || old.Revision != 4 || old.Pipeline != "b" {
		t.Errorf("DeletePolicy = %+v, %v", old, err)
	}
	for name, f := range map[string]func() error{
		"GetPolicy":       func() error { _, err := s.GetPolicy(ctx, "pumps"); return err },
		"PolicyRevisions": func() error { _, err := s.PolicyRevisions(ctx, "pumps"); return err },
		"DeletePolicy":    func() error { _, err := s.DeletePolicy(ctx, "pumps"); return err },
		"RollbackPolicy":  func() error { _, err := s.RollbackPolicy(ctx, "pumps", 0, "ops", t0); return err },
	} {
		if err := f(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s after delete: %v, want ErrNotFound", name, err)
		}
	}
	// A deleted name starts again from revision 1.
	if p, err := s.CreatePolicy(ctx, policy("pumps", "", 0, "c")); err != nil || p.Revision != 1 {
		t.Errorf("CreatePolicy after delete = %+v, %v", p, err)
	}
}

// TestListPoliciesOrder: highest priority first, then by name.
func TestListPoliciesOrder(t *testing.T) {
	s, _ := openTestStore(t)
	for _, p := range []store.Policy{policy("b", "", 5, ""), policy("a", "", 5, ""), policy("z", "", 50, ""), policy("c", "", 0, "")} {
		if _, err := s.ApplyPolicy(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := s.ListPolicies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
		if len(p.Models) != 1 || p.Models[0].Name != "pump" {
			t.Errorf("policy %s models %+v", p.Name, p.Models)
		}
	}
	if want := []string{"z", "a", "b", "c"}; !slices.Equal(names, want) {
		t.Errorf("ListPolicies order %v, want %v", names, want)
	}
}

// TestPolicyRevisionsPruned: only the last revisions are kept; the
// oldest can no longer be rolled back to.
func TestPolicyRevisionsPruned(t *testing.T) {
	s, _ := openTestStore(t)
	for i := range 25 {
		if _, err := s.ApplyPolicy(t.Context(), policy("p", "", 0, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	revs, err := s.PolicyRevisions(t.Context(), "p")
	if err != nil || len(revs) != 20 || revs[0].Revision != 25 || revs[19].Revision != 6 {
		t.Fatalf("PolicyRevisions: %d revisions (%v), want 25 down to 6", len(revs), err)
	}
	if _, err := s.RollbackPolicy(t.Context(), "p", 5, "ops", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rollback to a pruned revision: %v, want ErrNotFound", err)
	}
}

// TestApplyPolicyConcurrently: writers racing on one policy (from several
// replicas, on PostgreSQL) each get a revision of their own.
func TestApplyPolicyConcurrently(t *testing.T) {
	s, _ := openTestStore(t)
	const n = 8
	var wg sync.WaitGroup
	revs := make([]int64, n)
	for i := range n {
		wg.Go(func() {
			p := policy("p", "", 0, fmt.Sprint(i))
			p.UpdatedAt = time.Now()
			w, err := s.ApplyPolicy(t.Context(), p)
			if err != nil {
				t.Error(err)
			}
			revs[i] = w.Policy.Revision
		})
	}
	wg.Wait()
	slices.Sort(revs)
	if want := []int64{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(revs, want) {
		t.Errorf("revisions %v, want %v", revs, want)
	}
}

package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestOpenAPIListsEveryRoute: the served document names exactly the
// routes the server has, each with its methods, and every operation
// documents its answers; a route added without documenting it fails here.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	a := newAuthAPI(t).testAPI // every route, the optional ones included
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if code := a.get(t, "/api/v1/openapi.json", &doc); code != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: %d", code)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	var documented []string
	for path, item := range doc.Paths {
		for method, op := range item {
			if method == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+param.ReplaceAllString(path, ":$1"))
			var o struct{ Responses map[string]any }
			if err := json.Unmarshal(op, &o); err != nil || len(o.Responses) == 0 {
				t.Errorf("%s %s: no responses documented", method, path)
			}
		}
	}
	var served []string
	for _, r := range a.h.(*gin.Engine).Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("documented routes differ from served ones:\ndocumented %v\nserved     %v", documented, served)
	}
}

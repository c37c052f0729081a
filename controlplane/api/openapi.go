package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"
)

// openAPIYAML is the API's OpenAPI 3 document, kept as YAML for people to
// edit and review; it is served as JSON.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// OpenAPI returns the document as JSON.
var OpenAPI = sync.OnceValues(func() ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(openAPIYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return json.Marshal(doc)
})

func (h *handler) openAPI(c *gin.Context) {
	b, err := OpenAPI()
	if err != nil { // unreachable: New refuses to start without it
		h.internal(c, "openapi document", err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/web/api"
)

// TestOpenAPIMatchesRoutes walks the route table: every /api/v1 route is
// documented, every documented operation exists, every path parameter is
// declared, every keyed operation documents 401 and 429, and every $ref
// resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	a := newTestApp(t, "sqlite")
	r := a.apiCall(http.MethodGet, "/api/v1/openapi.json", "", "")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r.Body != string(api.Document()) {
		t.Fatal("the served document is not the embedded one")
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.Document(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q, servers %+v: want OpenAPI 3 with the one server /api/v1", doc.OpenAPI, doc.Servers)
	}

	methods := []string{"get", "put", "post", "patch", "delete", "head", "options"}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		var declared []string
		var common []struct{ Name, In string }
		_ = json.Unmarshal(item["parameters"], &common)
		for _, p := range common {
			if p.In == "path" {
				declared = append(declared, p.Name)
			}
		}
		for m, raw := range item {
			if !slices.Contains(methods, m) {
				continue
			}
			documented[strings.ToUpper(m)+" /api/v1"+path] = true
			var op struct {
				Security   *[]any                      `json:"security"`
				Parameters []struct{ Name, In string } `json:"parameters"`
				Responses  map[string]json.RawMessage  `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", m, path, err)
			}
			names := slices.Clone(declared)
			for _, p := range op.Parameters {
				if p.In == "path" {
					names = append(names, p.Name)
				}
			}
			for _, want := range param.FindAllStringSubmatch(path, -1) {
				if !slices.Contains(names, want[1]) {
					t.Errorf("%s %s: path parameter %q is not declared", m, path, want[1])
				}
			}
			if op.Security == nil || len(*op.Security) > 0 { // needs the key
				for _, code := range []string{"401", "429"} {
					if op.Responses[code] == nil {
						t.Errorf("%s %s needs an API key but does not document %s", m, path, code)
					}
				}
			}
		}
	}

	routed := map[string]bool{}
	colon := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	for _, rt := range a.srv.Echo().Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1") || strings.HasSuffix(rt.Path, "*") || rt.Path == "/api/v1" {
			continue // the group's catch-alls (404/405 with the key checked)
		}
		if !slices.Contains(methods, strings.ToLower(rt.Method)) {
			t.Errorf("route %s %s has an unexpected method", rt.Method, rt.Path)
			continue
		}
		routed[rt.Method+" "+colon.ReplaceAllString(rt.Path, "{$1}")] = true
	}
	if len(routed) < 4 {
		t.Fatalf("found only %d API routes: %v", len(routed), routed)
	}
	for op := range routed {
		if !documented[op] {
			t.Errorf("route %s is not in openapi.json", op)
		}
	}
	for op := range documented {
		if !routed[op] {
			t.Errorf("openapi.json documents %s, which no route serves", op)
		}
	}

	// Every $ref points at something in the document.
	var whole any
	_ = json.Unmarshal(api.Document(), &whole)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && !resolves(whole, ref) {
				t.Errorf("$ref %q does not resolve", ref)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(whole)
}

func resolves(doc any, ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	cur := doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

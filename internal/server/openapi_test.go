package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"baobei/internal/api"
)

// The OpenAPI document is public.
var mxRoutesOpenAPI = []mxRoute{
	{method: "GET", pattern: "/api/v1/openapi.json", public: true},
}

func init() { mxRoutes = append(mxRoutes, mxRoutesOpenAPI...) }

// openAPIMethods are the operations a path item of OpenAPI 3.1 may hold.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestOpenAPIMatchesRoutes: the document parses, is served to anyone,
// lists every /api/v1 route the router has and no operation it lacks,
// declares each path's parameters, and every $ref in it resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)

	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 || servers[0].(map[string]any)["url"] != "/api/v1" {
		t.Fatalf("servers = %v, want the one /api/v1", doc["servers"])
	}

	documented := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		for m, o := range item.(map[string]any) {
			if !slices.Contains(openAPIMethods, m) {
				continue
			}
			op := strings.ToUpper(m) + " /api/v1" + p
			documented[op] = true
			checkPathParams(t, doc, op, p, item.(map[string]any), o.(map[string]any))
		}
	}
	routed := map[string]bool{}
	for _, r := range mxWalk(t, app) {
		if _, path, _ := strings.Cut(r, " "); strings.HasPrefix(path, "/api/v1/") {
			routed[r] = true
			if !documented[r] {
				t.Errorf("route %s is missing from internal/api/openapi.json", r)
			}
		}
	}
	for op := range documented {
		if !routed[op] {
			t.Errorf("openapi.json lists %s, which is not routed", op)
		}
	}

	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, err := resolveRef(doc, ref); err != "" {
					t.Errorf("%s: $ref %q: %s", at, ref, err)
				}
			}
			for k, c := range x {
				walk(at+"/"+k, c)
			}
		case []any:
			for _, c := range x {
				walk(at+"/[]", c)
			}
		}
	}
	walk("#", doc)

	resp, body := app.get(t, http.DefaultClient, "/api/v1/openapi.json")
	mustStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("served as %q", ct)
	}
	if !bytes.Equal(body, api.OpenAPI) {
		t.Error("the served document is not the embedded one")
	}
}

// checkPathParams fails the test unless every {name} of path p is a
// required path parameter of op, declared on the operation or its path item.
func checkPathParams(t *testing.T, doc map[string]any, op, p string, item, o map[string]any) {
	t.Helper()
	declared := map[string]bool{}
	for _, list := range []any{item["parameters"], o["parameters"]} {
		params, _ := list.([]any)
		for _, x := range params {
			param := x.(map[string]any)
			if ref, ok := param["$ref"].(string); ok {
				resolved, err := resolveRef(doc, ref)
				if err != "" {
					continue // reported by the $ref walk
				}
				param = resolved.(map[string]any)
			}
			if param["in"] == "path" && param["required"] == true {
				declared[param["name"].(string)] = true
			}
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			if name = strings.TrimSuffix(name, "}"); !declared[name] {
				t.Errorf("%s does not declare its path parameter %s", op, name)
			}
		}
	}
}

// resolveRef follows a local JSON pointer ("#/components/schemas/X") in
// doc; it answers why not when it cannot.
func resolveRef(doc map[string]any, ref string) (any, string) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, "not a local reference"
	}
	var at any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := at.(map[string]any)
		if !ok {
			return nil, "no object at " + tok
		}
		if at, ok = m[tok]; !ok {
			return nil, "nothing named " + tok
		}
	}
	return at, ""
}

package server_test

import (
	"net/http"
	"testing"
	"time"
)

func TestProbe(t *testing.T) {
	s := time.Now()
	app := newTestApp(t)
	t.Log("app", time.Since(s))
	s = time.Now()
	c := app.signIn(t, "demo", "admin", "demo12345")
	t.Log("signin", time.Since(s))
	resp, b := app.get(t, c, "/")
	mustStatus(t, resp, http.StatusOK)
	t.Log(testID(t, b, "home-title"))
}

// Package session keeps the signed-in user between requests: scs sessions
// stored in Postgres, and the middleware that turns a session or an API
// token into the domain.Actor every handler passes on.
package session

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5/middleware"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// Session keys.
const (
	keyTenant = "tenant_id"
	keyUser   = "user_id"
	keyLang   = "lang"
	keyFlash  = "flash"
)

// Manager wraps the scs session manager with Baobei's keys.
type Manager struct {
	*scs.SessionManager
	svc *domain.Service
}

// NewManager returns a session manager storing sessions in Postgres:
// HttpOnly, SameSite=Lax, Secure when secure is set, 30 minutes idle
// timeout, 12 hours at most.
func NewManager(svc *domain.Service, secure bool) *Manager {
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(svc.DB().Pool, 30*time.Minute)
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 30 * time.Minute
	sm.Cookie.Name = "baobei_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	return &Manager{SessionManager: sm, svc: svc}
}

// SignIn starts an authenticated session of r's browser with a fresh
// token (no session fixation) and records it among the user's sessions,
// with the browser's user agent and address.
func (m *Manager) SignIn(r *http.Request, a domain.Actor, lang i18n.Lang) error {
	ctx := r.Context()
	// scs's own renewal: a session of someone else's before is not moved over.
	if err := m.SessionManager.RenewToken(ctx); err != nil {
		return err
	}
	m.Put(ctx, keyTenant, a.TenantID)
	m.Put(ctx, keyUser, a.UserID)
	m.Put(ctx, keyLang, string(lang))
	_, err := m.svc.RecordSession(ctx, a, m.Token(ctx), domain.SessionDevice{UserAgent: r.UserAgent(), Address: ClientAddr(r)})
	return err
}

// RenewToken gives the session a new token (on a privilege change) and
// moves the signed-in user's session record along with it.
func (m *Manager) RenewToken(ctx context.Context) error {
	old := m.Token(ctx)
	if err := m.SessionManager.RenewToken(ctx); err != nil {
		return err
	}
	tenant, user := m.GetInt64(ctx, keyTenant), m.GetInt64(ctx, keyUser)
	if tenant == 0 || user == 0 {
		return nil
	}
	return m.svc.RenewSession(ctx, domain.Actor{TenantID: tenant, UserID: user}, old, m.Token(ctx))
}

// SignOut ends the session.
func (m *Manager) SignOut(ctx context.Context) error { return m.Destroy(ctx) }

// SetLang remembers the interface language in the session.
func (m *Manager) SetLang(ctx context.Context, lang i18n.Lang) { m.Put(ctx, keyLang, string(lang)) }

// Flash stores a message shown once on the next page.
func (m *Manager) Flash(ctx context.Context, msg string) { m.Put(ctx, keyFlash, msg) }

// PopFlash returns and forgets the pending flash message.
func (m *Manager) PopFlash(ctx context.Context) string { return m.PopString(ctx, keyFlash) }

type actorKey struct{}

// ActorFrom returns the signed-in actor of a request handled behind
// LoadActor or BearerActor; ok is false for an anonymous request.
func ActorFrom(r *http.Request) (domain.Actor, bool) {
	a, ok := r.Context().Value(actorKey{}).(domain.Actor)
	return a, ok
}

func withActor(r *http.Request, a domain.Actor, lang i18n.Lang) *http.Request {
	ctx := context.WithValue(r.Context(), actorKey{}, a)
	return r.WithContext(i18n.WithLang(ctx, lang))
}

// RequestLang picks the language of an anonymous request: the lang cookie,
// else Accept-Language; Chinese by default.
func RequestLang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie("lang"); err == nil {
		return i18n.Parse(c.Value)
	}
	return i18n.Parse(r.Header.Get("Accept-Language"))
}

// LoadActor reads the session and, when it names a user, loads that user's
// current role and teams (so a role change or deactivation takes effect on
// the next request) into the request context together with the language.
// A session of a deactivated user, or one revoked (domain.SessionActor),
// is destroyed.
// Other errors (the database is down) go to onError.
func (m *Manager) LoadActor(requestID func(*http.Request) string, onError func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			tenant, user := m.GetInt64(ctx, keyTenant), m.GetInt64(ctx, keyUser)
			if tenant == 0 || user == 0 {
				next.ServeHTTP(w, r.WithContext(i18n.WithLang(ctx, RequestLang(r))))
				return
			}
			a, err := m.svc.SessionActor(ctx, tenant, user, m.Token(ctx))
			if domain.ErrorCode(err) == domain.CodeUnauthorized {
				_ = m.Destroy(ctx)
				next.ServeHTTP(w, r.WithContext(i18n.WithLang(ctx, RequestLang(r))))
				return
			}
			if err != nil {
				onError(w, r, err)
				return
			}
			a.RequestID = requestID(r)
			next.ServeHTTP(w, withActor(r, a, i18n.Parse(m.GetString(ctx, keyLang))))
		})
	}
}

// BearerActor authenticates API requests carrying "Authorization: Bearer
// <token>"; requests without the header pass on anonymous.
func BearerActor(svc *domain.Service, requestID func(*http.Request) string, unauthorized func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			lang := i18n.Parse(r.Header.Get("Accept-Language"))
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r.WithContext(i18n.WithLang(r.Context(), lang)))
				return
			}
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				unauthorized(w, r.WithContext(i18n.WithLang(r.Context(), lang)), nil)
				return
			}
			a, _, err := svc.TokenActor(r.Context(), strings.TrimSpace(secret))
			if err != nil {
				unauthorized(w, r.WithContext(i18n.WithLang(r.Context(), lang)), err)
				return
			}
			a.RequestID = requestID(r)
			next.ServeHTTP(w, withActor(r, a, lang))
		})
	}
}

// RequestID returns the request's id, as logged and written to the audit log.
func RequestID(r *http.Request) string { return middleware.GetReqID(r.Context()) }

// ClientAddr is the client's address for sign-in throttling.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

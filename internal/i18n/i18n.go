// Package i18n holds Baobei's two languages: zh-CN (the default) and English.
package i18n

import (
	"context"
	"strings"
)

// Lang is a user interface language.
type Lang string

// The supported languages. Chinese is the default.
const (
	Zh Lang = "zh"
	En Lang = "en"
)

// Parse maps a stored preference, a form value or an Accept-Language header
// to a supported language; anything unrecognised is Chinese.
func Parse(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "en") {
		return En
	}
	return Zh
}

// Text is one message in both languages.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// In returns the message in lang.
func (t Text) In(lang Lang) string {
	if lang == En && t.En != "" {
		return t.En
	}
	return t.Zh
}

type ctxKey struct{}

// WithLang returns a context that carries lang for the templates.
func WithLang(ctx context.Context, lang Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, lang)
}

// FromContext returns the language carried by ctx, Chinese when none.
func FromContext(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return Zh
}

// T looks up a catalogue message by key in the language carried by ctx.
// A missing key is returned as is, so a gap shows on the page instead of
// disappearing.
func T(ctx context.Context, key string) string {
	if t, ok := catalogue[key]; ok {
		return t.In(FromContext(ctx))
	}
	return key
}

// mergeArea adds the strings of one area to the catalogue; a key already in
// it is a programming error.
func mergeArea(area map[string]Text) {
	for k, v := range area {
		if _, dup := catalogue[k]; dup {
			panic("i18n: " + k + " is in the catalogue twice")
		}
		catalogue[k] = v
	}
}

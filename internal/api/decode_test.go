package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"baobei/internal/domain"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body string
		wantField  string // "" for success
		wantErr    bool
	}{
		{"valid", `{"grade":"A"}`, "", false},
		{"malformed", `{"grade":`, "", true},
		{"wrong type", `{"grade":7}`, "grade", true},
		{"unknown field", `{"grade":"A","owner_id":"1"}`, "", true},
		{"trailing data", `{"grade":"A"} {}`, "", true},
		{"empty", ``, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in domain.RegistrationInput
			err := decode(httptest.NewRequest("POST", "/", strings.NewReader(tt.body)), &in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && domain.ErrorCode(err) != domain.CodeInvalid {
				t.Errorf("err = %v, want a validation error", err)
			}
			var de *domain.Error
			if tt.wantField != "" && (!errors.As(err, &de) || de.Fields[tt.wantField].Zh == "") {
				t.Errorf("err = %v, want field %s", err, tt.wantField)
			}
		})
	}
}

// FuzzDecodeRegistration feeds arbitrary bodies through the JSON decoder
// and the registration validator: they must never panic, and every
// refusal must be a validation error (422), never an internal one.
func FuzzDecodeRegistration(f *testing.F) {
	f.Add(`{"customer":{"kind":"company","name":"北京华为技术有限公司","contacts":[{"name":"张三","phone":"138****5678"}]},"grade":"A"}`)
	f.Add(`{"customer":{"kind":"person","name":"\u0000","uscc":"91350100M000100Y43"},"expected_amount":-1e309}`)
	f.Add(`{"first_contact_at":"2026-13-45T99:00:00Z"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in domain.RegistrationInput
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		err := decode(r, &in)
		var tooBig *http.MaxBytesError
		if err != nil && !errors.As(err, &tooBig) && domain.ErrorCode(err) != domain.CodeInvalid {
			t.Fatalf("decode: %v is not a validation error", err)
		}
		if err == nil {
			_ = in.Validate()
		}
	})
}

package domain

import (
	"errors"
	"fmt"

	"baobei/internal/i18n"
)

// Code classifies a domain error; the HTTP layers map it to a status.
type Code string

// Error codes.
const (
	CodeInvalid      Code = "validation_failed"
	CodeNotFound     Code = "not_found"
	CodeForbidden    Code = "forbidden"
	CodeDuplicate    Code = "duplicate"
	CodeConflict     Code = "conflict"
	CodeRateLimited  Code = "rate_limited"
	CodeUnauthorized Code = "unauthenticated"
)

// Error is a rule's refusal, with a message in both languages and, for
// invalid input, one message per offending field.
type Error struct {
	Code    Code
	Message i18n.Text
	Fields  map[string]i18n.Text
	// ExistingID names the caller's own live registration for CodeDuplicate.
	ExistingID int64
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message.En, e.Fields)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message.En)
}

// Sentinel errors for errors.Is; the typed Error carries the details.
var (
	ErrNotFound  = &Error{Code: CodeNotFound, Message: i18n.Text{Zh: "未找到", En: "Not found"}}
	ErrForbidden = &Error{Code: CodeForbidden, Message: i18n.Text{Zh: "无权执行此操作", En: "You are not allowed to do this"}}
)

// Is makes errors.Is match any domain error of the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrorCode returns the code of a domain error, or "" for any other error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Invalid returns a validation error with the given field messages.
func Invalid(fields map[string]i18n.Text) *Error {
	return &Error{
		Code:    CodeInvalid,
		Message: i18n.Text{Zh: "输入有误, 请检查标出的字段", En: "Please correct the marked fields"},
		Fields:  fields,
	}
}

// Forbidden returns a forbidden error with a specific message.
func Forbidden(msg i18n.Text) *Error { return &Error{Code: CodeForbidden, Message: msg} }

// InvalidMsg returns a validation error with a message and no fields.
func InvalidMsg(msg i18n.Text) *Error { return &Error{Code: CodeInvalid, Message: msg} }

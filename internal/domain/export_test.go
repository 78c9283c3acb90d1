package domain

import "golang.org/x/crypto/bcrypt"

// The domain tests hash hundreds of passwords; the real cost is tested by
// the server tests, which sign in through the form.
func init() { passwordCost = bcrypt.MinCost }

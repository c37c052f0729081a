// Package auth is who may call the control plane's API: roles, password
// hashing, the JWTs people get at login (1 hour, as the production guide
// sets), refresh tokens, and API keys for automation.
//
// Secrets at rest are hashes only: bcrypt for passwords; for API keys and
// refresh tokens, which are long random strings, HMAC-SHA256 keyed with
// SECRET_KEY, so a copy of the database alone cannot be used to forge a
// match.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

// Roles, from least to most allowed. A viewer reads; an operator also
// changes agents' desired states and uploads models; an admin also
// manages users and API keys and reads the audit log.
const (
	Viewer   = "viewer"
	Operator = "operator"
	Admin    = "admin"
)

var rank = map[string]int{Viewer: 1, Operator: 2, Admin: 3}

// ValidRole reports whether role is one of the three.
func ValidRole(role string) bool { return rank[role] > 0 }

// Allows reports whether role may do what need is required for.
func Allows(role, need string) bool { return rank[role] > 0 && rank[role] >= rank[need] }

// Lifetimes.
const (
	AccessTTL  = time.Hour
	RefreshTTL = 7 * 24 * time.Hour
)

// Prefixes tell API keys and refresh tokens from JWTs at a glance, and in
// secret scanners.
const (
	apiKeyPrefix  = "pnk_"
	refreshPrefix = "pnr_"
	enrollPrefix  = "pne_"
	agentPrefix   = "pna_"
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// CheckPassword reports what is wrong with a new password, or nil.
func CheckPassword(p string) error {
	if utf8.RuneCountInString(p) < MinPasswordLen {
		return fmt.Errorf("password: at least %d characters", MinPasswordLen)
	}
	if len(p) > 72 { // bcrypt reads only the first 72 bytes
		return errors.New("password: at most 72 bytes")
	}
	return nil
}

// HashPassword hashes p with bcrypt.
func HashPassword(p string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.DefaultCost)
	return string(h), err
}

// PasswordMatches compares p with a bcrypt hash in constant time.
func PasswordMatches(hash, p string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(p)) == nil
}

// dummyHash is compared against when a user name is unknown, so that a
// login's time does not tell whether the name exists.
var dummyHash, _ = HashPassword("not anyone's password at all")

// SpendTime does the work of one password check, for unknown users.
func SpendTime(p string) { PasswordMatches(dummyHash, p) }

// Principal is who a request comes from.
type Principal struct {
	// Kind is "user" or "api_key".
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Name is the user name or the key's name, for the audit log.
	Name string `json:"name"`
	Role string `json:"role"`
}

// Keys holds the server's secrets.
type Keys struct {
	// JWT signs access tokens (JWT_SECRET_KEY).
	JWT []byte
	// Secret keys the hashes of API keys and refresh tokens (SECRET_KEY).
	Secret []byte
}

type claims struct {
	Name string `json:"name"`
	Role string `json:"role"`
	jwt.RegisteredClaims
}

const issuer = "pynomaly"

// IssueAccess returns a signed access token for u, valid AccessTTL.
func (k Keys) IssueAccess(p Principal, now time.Time) (string, error) {
	c := claims{Name: p.Name, Role: p.Role, RegisteredClaims: jwt.RegisteredClaims{
		Subject: p.ID, Issuer: issuer, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k.JWT)
}

// ParseAccess verifies an access token and returns who it is for.
func (k Keys) ParseAccess(token string, now time.Time) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return k.JWT, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithLeeway(30*time.Second))
	if err != nil {
		return Principal{}, err
	}
	if !ValidRole(c.Role) || c.Subject == "" {
		return Principal{}, errors.New("token without a subject or a known role")
	}
	return Principal{Kind: "user", ID: c.Subject, Name: c.Name, Role: c.Role}, nil
}

// NewAPIKey returns a new key and the hash to store for it.
func (k Keys) NewAPIKey() (key, hash string) { return k.newSecret(apiKeyPrefix) }

// NewRefreshToken returns a new refresh token and the hash to store.
func (k Keys) NewRefreshToken() (token, hash string) { return k.newSecret(refreshPrefix) }

// NewEnrollmentToken returns a new enrollment token and its hash.
func (k Keys) NewEnrollmentToken() (token, hash string) { return k.newSecret(enrollPrefix) }

// NewAgentSecret returns a new agent secret (its NATS password) and its
// hash. Being 256 random bits, it needs no slow hash: checking it costs
// one HMAC, so a fleet reconnecting at once is cheap to admit.
func (k Keys) NewAgentSecret() (secret, hash string) { return k.newSecret(agentPrefix) }

func (k Keys) newSecret(prefix string) (string, string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	s := prefix + base64.RawURLEncoding.EncodeToString(b)
	return s, k.Hash(s)
}

// Hash is the keyed hash an API key or refresh token is stored as.
func (k Keys) Hash(secret string) string {
	m := hmac.New(sha256.New, k.Secret)
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}

// IsAPIKey tells an API key from a JWT in an Authorization header.
func IsAPIKey(s string) bool { return strings.HasPrefix(s, apiKeyPrefix) }

// NewID returns a random identifier for users and keys.
func NewID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Oracle: how kube-apiserver's JWT authenticator decodes a token's payload
// with encoding/json: the untrusted issuer (a struct with `iss`), the
// fields go-oidc's verifier decodes (iss, sub, aud as a string or a list,
// exp/iat/nbf as numbers or numeric strings, nonce, at_hash, distributed
// claim names and sources), and the claims as a map of raw messages, from
// which a string claim and a string-or-list claim are read.
// Question {"hex": "<the payload's bytes>", "claim": "sub", "list": "groups"};
// answer {"iss": ..., "idtoken": {...} | "idtoken_error": true,
// "claim": ... | "claim_error": true, "list": [...] | "list_error": true}.
//go:debug default=go1.26
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
)

type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*a = audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*a = audience(l)
	return nil
}

type jsonTime int64

func (j *jsonTime) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	if t, err := n.Int64(); err == nil {
		*j = jsonTime(t)
		return nil
	}
	f, err := n.Float64()
	if err != nil {
		return err
	}
	*j = jsonTime(int64(f))
	return nil
}

type source struct {
	Endpoint    string `json:"endpoint"`
	AccessToken string `json:"access_token"`
}

type idToken struct {
	Issuer       string            `json:"iss"`
	Subject      string            `json:"sub"`
	Audience     audience          `json:"aud"`
	Expiry       jsonTime          `json:"exp"`
	IssuedAt     jsonTime          `json:"iat"`
	NotBefore    *jsonTime         `json:"nbf"`
	Nonce        string            `json:"nonce"`
	AtHash       string            `json:"at_hash"`
	ClaimNames   map[string]string `json:"_claim_names"`
	ClaimSources map[string]source `json:"_claim_sources"`
}

type stringOrArray []string

func (s *stringOrArray) UnmarshalJSON(b []byte) error {
	var a []string
	if err := json.Unmarshal(b, &a); err == nil {
		*s = a
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	*s = []string{str}
	return nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q struct{ Hex, Claim, List string }
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			out.Encode(map[string]string{"error": "bad question: " + err.Error()})
			continue
		}
		a := map[string]interface{}{}
		payload, err := hex.DecodeString(q.Hex)
		if err != nil {
			out.Encode(map[string]string{"error": "bad question: " + err.Error()})
			continue
		}
		var iss struct {
			Issuer string `json:"iss"`
		}
		if err := json.Unmarshal(payload, &iss); err != nil {
			a["iss_error"] = true
		} else {
			a["iss"] = iss.Issuer
		}
		var t idToken
		if err := json.Unmarshal(payload, &t); err != nil {
			a["idtoken_error"] = true
		} else {
			names := true
			for _, src := range t.ClaimNames {
				if _, ok := t.ClaimSources[src]; src == "" || !ok {
					names = false
				}
			}
			aud := []string(t.Audience)
			if aud == nil {
				aud = []string{}
			}
			tok := map[string]interface{}{"aud": aud, "exp": int64(t.Expiry), "sub": t.Subject, "claim_names_ok": names}
			if t.NotBefore != nil {
				tok["nbf"] = int64(*t.NotBefore)
			}
			a["idtoken"] = tok
		}
		var c map[string]json.RawMessage
		if err := json.Unmarshal(payload, &c); err == nil {
			if raw, ok := c[q.Claim]; ok {
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					a["claim_error"] = true
				} else {
					a["claim"] = s
				}
			}
			if raw, ok := c[q.List]; ok {
				var l stringOrArray
				if err := json.Unmarshal(raw, &l); err != nil {
					a["list_error"] = true
				} else {
					if l == nil {
						l = stringOrArray{}
					}
					a["list"] = []string(l)
				}
			}
		}
		out.Encode(a)
	}
}

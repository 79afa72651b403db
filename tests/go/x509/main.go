// The x509 oracle: how Go's crypto/x509 and kube-apiserver's
// CommonNameUserConversion judge a client certificate chain.
//
// One JSON question per line: {"chain": PEM (leaf first, then the
// intermediates the client sends), "roots": PEM (--client-ca-file), "at":
// RFC 3339}. One JSON answer per line: {"stage": "parse"|"verify"|"user"|"ok",
// "error": text, "username", "uid", "groups"}. Standard library only.
// The GODEBUG defaults of the Go release kube-apiserver v1.36 builds with
// (go.work: godebug default=go1.26), not GOPATH mode's go1.20 ones
// (which let RSA keys under 1024 bits verify).
//go:debug default=go1.26
//go:debug x509negativeserial=0
package main

import (
	"bufio"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

type question struct {
	Chain string `json:"chain"`
	Roots string `json:"roots"`
	At    string `json:"at"`
}

type answer struct {
	Stage    string   `json:"stage"`
	Error    string   `json:"error,omitempty"`
	Username string   `json:"username,omitempty"`
	UID      string   `json:"uid,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

var uidOID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57683, 2}

func blocks(text string) [][]byte {
	var out [][]byte
	rest := []byte(text)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, b.Bytes)
		}
	}
}

// parseUID follows kube-apiserver's parseUIDFromCert.
func parseUID(c *x509.Certificate) (string, error) {
	uids := []string{}
	for _, name := range c.Subject.Names {
		if !name.Type.Equal(uidOID) {
			continue
		}
		uid, ok := name.Value.(string)
		if !ok {
			return "", fmt.Errorf("unable to parse UID into a string")
		}
		uids = append(uids, uid)
	}
	if len(uids) == 0 {
		return "", nil
	}
	if len(uids) != 1 {
		return "", fmt.Errorf("expected 1 UID, but found multiple: %v", uids)
	}
	if uids[0] == "" {
		return "", errors.New("UID cannot be an empty string")
	}
	return uids[0], nil
}

func judge(q question) answer {
	at, err := time.Parse(time.RFC3339, q.At)
	if err != nil {
		return answer{Stage: "question", Error: err.Error()}
	}
	var chain []*x509.Certificate
	for _, der := range blocks(q.Chain) {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return answer{Stage: "parse", Error: "tls: failed to parse client certificate: " + err.Error()}
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return answer{Stage: "question", Error: "no certificate"}
	}
	roots := x509.NewCertPool()
	for _, der := range blocks(q.Roots) {
		if c, err := x509.ParseCertificate(der); err == nil {
			roots.AddCert(c)
		}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := chain[0].Verify(opts); err != nil {
		return answer{Stage: "verify", Error: err.Error()}
	}
	leaf := chain[0]
	if leaf.Subject.CommonName == "" {
		return answer{Stage: "anonymous"}
	}
	uid, err := parseUID(leaf)
	if err != nil {
		return answer{Stage: "user", Error: err.Error()}
	}
	return answer{Stage: "ok", Username: leaf.Subject.CommonName, UID: uid, Groups: leaf.Subject.Organization}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q question
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			out.Encode(answer{Stage: "question", Error: err.Error()})
			continue
		}
		out.Encode(judge(q))
	}
}

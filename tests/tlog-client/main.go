// Command tlog-client checks a Ledgix ledger with the transparency ecosystem's own code,
// filippo.io/torchwood, not Ledgix's: it fetches the checkpoint from the C2SP tlog-tiles
// endpoint, verifies it against a witness policy (the log's verifier key plus the witnesses
// that must have cosigned it), and proves an entry's inclusion in that checkpoint from tiles.
//
//	tlog-client -url http://localhost:3000/api/ledger/tiles/ -policy policy.txt -index 0
//
// The API key, if the tiles are not public, comes from LEDGIX_VAULT_API_KEY. It prints one
// JSON object: the checkpoint's origin, size and root, and the entry (the event hash) in hex.
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"filippo.io/torchwood"
)

// apiKey adds Ledgix's API key header to every tile request.
type apiKey struct {
	key  string
	next http.RoundTripper
}

func (a apiKey) RoundTrip(req *http.Request) (*http.Response, error) {
	if a.key != "" {
		req = req.Clone(req.Context())
		req.Header.Set("X-Vault-API-Key", a.key)
	}
	return a.next.RoundTrip(req)
}

func main() {
	base := flag.String("url", "", "the tiles prefix, e.g. http://localhost:3000/api/ledger/tiles/")
	policyFile := flag.String("policy", "", "a witness policy file (log, witness and quorum lines)")
	index := flag.Int64("index", 0, "the entry whose inclusion to prove")
	flag.Parse()
	if err := run(*base, *policyFile, *index); err != nil {
		fmt.Fprintln(os.Stderr, "tlog-client:", err)
		os.Exit(1)
	}
}

func run(base, policyFile string, index int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	text, err := os.ReadFile(policyFile)
	if err != nil {
		return err
	}
	policy, err := torchwood.ParsePolicy(text)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	hc := &http.Client{Transport: apiKey{os.Getenv("LEDGIX_VAULT_API_KEY"), http.DefaultTransport}, Timeout: 10 * time.Second}
	fetcher, err := torchwood.NewTileFetcher(base, torchwood.WithHTTPClient(hc))
	if err != nil {
		return err
	}
	signed, err := fetcher.ReadEndpoint(ctx, "checkpoint")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	checkpoint, _, err := torchwood.VerifyCheckpoint(signed, policy)
	if err != nil {
		return fmt.Errorf("checkpoint does not satisfy the policy: %w", err)
	}
	client, err := torchwood.NewClient(fetcher)
	if err != nil {
		return err
	}
	entry, _, err := client.Entry(ctx, checkpoint.Tree, index)
	if err != nil {
		return fmt.Errorf("inclusion of entry %d: %w", index, err)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"origin": checkpoint.Origin,
		"size":   checkpoint.N,
		"root":   hex.EncodeToString(checkpoint.Hash[:]),
		"index":  index,
		"entry":  hex.EncodeToString(entry),
	})
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/permledger/permledger/api"
)

const httpClients = 16

// httpLoad is the load generator: httpClients goroutines, each on its own
// keep-alive connection, POSTing check requests for d. Every answer is read
// and decoded the same way for the API and the baseline; wrong answers from
// the API are counted.
func httpLoad(ctx context.Context, url string, reqs [][]byte, want []bool, d time.Duration) (int, int, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: httpClients, MaxConnsPerHost: httpClients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var done, wrong atomic.Int64
	var firstErr error
	var once sync.Once
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for g := range httpClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for ctx.Err() == nil {
				i := r.IntN(len(reqs))
				allowed, err := postCheck(cl, url, reqs[i])
				if err != nil {
					if ctx.Err() == nil {
						once.Do(func() { firstErr = err })
					}
					return
				}
				done.Add(1)
				if want != nil && allowed != want[i] {
					wrong.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(done.Load()), int(wrong.Load()), firstErr
}

func postCheck(cl *http.Client, url string, body []byte) (bool, error) {
	resp, err := cl.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("POST %s: %s: %s", url, resp.Status, b)
	}
	var rep struct {
		Allowed bool `json:"allowed"`
	}
	return rep.Allowed, json.Unmarshal(b, &rep)
}

// checkRequests builds n check requests about random users with their
// expected answers.
func checkRequests(d *dataset, n int, seed uint64) ([][]byte, []bool, []checkCase) {
	r := rand.New(rand.NewPCG(seed, 11))
	reqs, want, cases := make([][]byte, n), make([]bool, n), make([]checkCase, n)
	for i := range n {
		c := d.checkCase(r.IntN(d.users), r.IntN(5))
		b, _ := json.Marshal(api.CheckRequest{User: c.user, Permission: c.perm, Contexts: c.contexts})
		reqs[i], want[i], cases[i] = b, c.allowed, c
	}
	return reqs, want, cases
}

// httpScenario alternates rounds of the bare handler and of POST /v1/check
// under the same load generator.
func (r *runner) httpScenario(ctx context.Context, c *child, d *dataset) error {
	reqs, want, _ := checkRequests(d, 100_000, 1)
	var base, got, wrong, reqCount int
	var baseTime, apiTime time.Duration
	for range r.cfg.rounds {
		n, _, err := httpLoad(ctx, c.ready.HTTPBaseline+"/v1/check", reqs, nil, r.cfg.phase)
		if err != nil {
			return err
		}
		base, baseTime = base+n, baseTime+r.cfg.phase
		n, w, err := httpLoad(ctx, c.ready.HTTP+"/v1/check", reqs, want, r.cfg.phase)
		if err != nil {
			return err
		}
		got, apiTime, wrong, reqCount = got+n, apiTime+r.cfg.phase, wrong+w, reqCount+n
	}
	if wrong > 0 {
		return fmt.Errorf("POST /v1/check answered %d of %d checks wrongly", wrong, reqCount)
	}
	rt, bl := rate(got, apiTime), rate(base, baseTime)
	x := row{figure: fmt.Sprintf("HTTP check throughput, %d keep-alive clients", httpClients),
		value: fmtRate(rt, "checks"), baseline: fmtRate(bl, "req"), ratio: rt / bl}
	atLeastRatio(&x, 0.5)
	r.table.add(x)
	return nil
}

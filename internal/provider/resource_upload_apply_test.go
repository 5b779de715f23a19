package provider

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// The fault classes of issue 9, injected with the server's fault rules. Each test creates
// two uploads and destroys them (the 429 test also updates one and deletes the other in
// between) with its rules in place from the start, on every route the rules name at once,
// each route hit by each fault of the class in turn: the routes' requests are independent,
// and one run per class keeps `make test` short on 2 cores. Every apply and the destroy
// must succeed; after each apply the state holds exactly the server's uploads (no orphan,
// no duplicate) and the next plan is empty; after the destroy the request log must show
// every request a rule cut or refused sent again and answered. `make chaos` runs the same
// classes through the real terraform binary, one fault and one route at a time.
//
// A stalled request (the stall action) is not tested here: the client gives up on a request
// after 30 s, which the provider does not let a configuration shorten, so the test would
// take half a minute of waiting. `make chaos` runs it.

// stateMatchesServer asserts that the state's uploads are exactly the server's, with the
// server's md5: no orphan (on the server, not in state), no duplicate, nothing missing.
type stateMatchesServer struct{ srv *datocmstest.Server }

func (c stateMatchesServer) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	inState := map[string]string{}
	if req.State != nil && req.State.Values != nil {
		for _, r := range req.State.Values.RootModule.Resources {
			if r.Type == "datocms_upload" {
				id, _ := r.AttributeValues["id"].(string)
				md5, _ := r.AttributeValues["md5"].(string)
				inState[id] = md5
			}
		}
	}
	ups := c.srv.Uploads("")
	for _, up := range ups {
		md5, ok := inState[up.ID]
		switch {
		case !ok:
			resp.Error = fmt.Errorf("upload %s (md5 %s) is on the server but not in state: an orphan", up.ID, up.MD5)
			return
		case md5 != up.MD5:
			resp.Error = fmt.Errorf("upload %s: state says md5 %s, the server %s", up.ID, md5, up.MD5)
			return
		}
	}
	if len(ups) != len(inState) {
		resp.Error = fmt.Errorf("the state holds %d uploads, the server %d", len(inState), len(ups))
	}
}

// faultsRetried asserts that every rule that cuts or refuses requests fired, and that each
// request it hit was sent again (same method and path) and answered without a fault.
func faultsRetried(srv *datocmstest.Server) error {
	for _, st := range srv.FaultRules() {
		if !strings.HasPrefix(st.Action, "job_") && st.Action != "delay" && st.Fired == 0 {
			return fmt.Errorf("rule %s %s %s never fired: the test tested nothing", st.Method, st.Path, st.Action)
		}
	}
	reqs := srv.Requests()
	for i, q := range reqs {
		if q.Fault == "" {
			continue
		}
		if !slices.ContainsFunc(reqs[i+1:], func(later datocmstest.Request) bool {
			return later.Method == q.Method && later.Path == q.Path && later.Fault == "" && later.Status != 0
		}) {
			return fmt.Errorf("%s %s, hit by a %s fault, was never sent again", q.Method, q.Path, q.Fault)
		}
	}
	return nil
}

// testAccFaultLifecycle creates two uploads and destroys them, with rules in place from the
// start (see the top of this file); with update, a step in between updates one and deletes
// the other.
func testAccFaultLifecycle(t *testing.T, update bool, rules ...datocmstest.FaultRule) {
	t.Helper()
	srv := newTestServer(t, datocmstest.WithFaultRules(rules...))
	dir := t.TempDir()
	a := writePNG(t, filepath.Join(dir, "a.png"), 150, 8, 8)
	b := writePNG(t, filepath.Join(dir, "b.png"), 151, 8, 8)
	config := func(author string, withB bool) string {
		c := providerBlock(srv, "") + fmt.Sprintf("resource \"datocms_upload\" \"a\" {\n  source = %q\n%s}\n", a, author)
		if withB {
			c += fmt.Sprintf("resource \"datocms_upload\" \"b\" {\n  source = %q\n}\n", b)
		}
		return c
	}
	clean := []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	steps := []resource.TestStep{{
		Config:            config("", true),
		ConfigPlanChecks:  resource.ConfigPlanChecks{PostApplyPostRefresh: clean},
		ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{srv}, serverUploadCount(srv, 2)},
	}}
	if update {
		steps = append(steps, resource.TestStep{
			Config: config("  author = \"Ann\"\n", false),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("datocms_upload.a", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("datocms_upload.b", plancheck.ResourceActionDestroy),
				},
				PostApplyPostRefresh: clean,
			},
			ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{srv}, remote(srv, func(up datocmstest.Upload) error {
				if !strPtrEq(up.Author, "Ann") {
					return fmt.Errorf("author on the server: %v", up.Author)
				}
				return nil
			})},
		})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			return errors.Join(checkNoUploads(srv)(s), faultsRetried(srv))
		},
		Steps: steps,
	})
}

// onRoutes aims each fault at each route ("METHOD /path-prefix"), once: a route's first
// request gets the first fault, its next request the second, and so on.
func onRoutes(routes []string, faults ...datocmstest.FaultRule) []datocmstest.FaultRule {
	var rules []datocmstest.FaultRule
	for _, route := range routes {
		for _, rule := range faults {
			rule.Method, rule.Path, _ = strings.Cut(route, " ")
			rule.Times = 1
			rules = append(rules, rule)
		}
	}
	return rules
}

// TestAccUpload_faultWritesResent: an HTML 502 (from a proxy: the API never saw the
// request), then a lost response (the request was applied, its answer never came), on each
// of the writes that are safe to send again: POST /upload-requests, POST /uploads (its
// upload ID is chosen by the provider, so a repeat cannot create a second upload) and DELETE.
func TestAccUpload_faultWritesResent(t *testing.T) {
	t.Parallel()
	testAccFaultLifecycle(t, false, onRoutes([]string{"POST /upload-requests", "POST /uploads", "DELETE /uploads/"},
		datocmstest.FaultRule{Action: "status", Status: 502, HTML: true},
		datocmstest.FaultRule{Action: "drop_response"},
	)...)
}

// TestAccUpload_faultCutConnections: a connection reset before any answer, then an answer
// cut in the middle of its body, on reads, on job polls and on the storage PUT.
func TestAccUpload_faultCutConnections(t *testing.T) {
	t.Parallel()
	testAccFaultLifecycle(t, false, onRoutes([]string{"GET /uploads", "GET /job-results/", "PUT /storage/"},
		datocmstest.FaultRule{Action: "reset"},
		datocmstest.FaultRule{Action: "truncate"},
	)...)
}

// TestAccUpload_fault429Bursts: two 429s in a row on every CMA route the provider uses, the
// first with X-RateLimit-Reset, the second without (the client then backs off on its own).
func TestAccUpload_fault429Bursts(t *testing.T) {
	t.Parallel()
	testAccFaultLifecycle(t, true, onRoutes([]string{"GET /site", "GET /uploads", "POST /upload-requests", "POST /uploads",
		"GET /job-results/", "PUT /uploads/", "DELETE /uploads/"},
		datocmstest.FaultRule{Action: "status", Status: 429, RateLimitReset: 1},
		datocmstest.FaultRule{Action: "status", Status: 429},
	)...)
}

// TestAccUpload_fault429OnStoragePut: a storage PUT refused once with 429 (a storage that
// rate-limits, as R2 or GCS may; S3 answers 503 SlowDown instead) is sent again.
//
// It fails today: the client resends a storage PUT only after a 5xx or a broken connection
// (putStorage in internal/datocms/storage.go), so the 429 fails the apply, although issue 9
// asks that 429s on every route be ridden out.
func TestAccUpload_fault429OnStoragePut(t *testing.T) {
	t.Parallel()
	testAccFaultLifecycle(t, false, onRoutes([]string{"PUT /storage/"}, datocmstest.FaultRule{Action: "status", Status: 429, RateLimitReset: 1})...)
}

// TestAccUpload_faultStorage502Streak: three HTML 502s in a row on one storage PUT, as 5%
// of 502s on every route produce now and then in a run of 200 uploads (`make chaos` saw it:
// one PUT answered 502 three times, and the apply failed), are ridden out like the CMA
// calls' eight retries ride them out.
//
// It fails today: the client gives a storage PUT three attempts in all (storageAttempts in
// internal/datocms/storage.go), however much of the operation's timeout is left.
func TestAccUpload_faultStorage502Streak(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithFaultRules(
		datocmstest.FaultRule{Method: "PUT", Path: "/storage/", Action: "status", Status: 502, HTML: true, Times: 3}))
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 154, 8, 8) // one upload: one PUT gets all three
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			return errors.Join(checkNoUploads(srv)(s), faultsRetried(srv))
		},
		Steps: []resource.TestStep{{
			Config:            uploadConfig(srv, fmt.Sprintf("  source = %q\n", src)),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{srv}, serverUploadCount(srv, 1)},
		}},
	})
}

// TestAccUpload_faultJobFail: a create whose job fails ends with a clean error and leaves
// nothing (the next plan creates, on a server with no upload); an update whose job fails
// ends with an error after the state is refreshed from DatoCMS (the request log shows the
// read after the failed job), and the next apply makes the update.
func TestAccUpload_faultJobFail(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 152, 8, 8)
	plain := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src))
	withAuthor := uploadConfig(srv, fmt.Sprintf("  source = %q\n  author = \"Ann\"\n", src))
	setRule := func(method, path string) func() {
		return func() {
			if err := srv.SetFaultRules(datocmstest.FaultRule{Method: method, Path: path, Action: "job_fail", Times: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				PreConfig:   setRule("POST", "/uploads"),
				Config:      plain,
				ExpectError: wrappedError(`Error creating upload.*Could not create an upload from`),
			},
			{
				PreConfig: func() {
					if n := len(srv.Uploads("")); n != 0 {
						t.Fatalf("the failed create left %d uploads on the server", n)
					}
				},
				Config: plain,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionCreate), // nothing in state
				}},
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{srv}},
			},
			{
				PreConfig:   func() { setRule("PUT", "/uploads/")(); srv.ResetRequests() },
				Config:      withAuthor,
				ExpectError: wrappedError(`Error updating upload.*Could not update upload`),
			},
			{
				PreConfig: func() {
					up, err := onlyUpload(srv)
					if err != nil {
						t.Fatal(err)
					}
					if up.Author != nil {
						t.Fatalf("the failed update's job applied author %q", *up.Author)
					}
					if err := refreshedAfterFailedJob(srv, up.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: withAuthor,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectAttributeChange(testResource, "author", nil, "Ann"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{srv}, remote(srv, func(up datocmstest.Upload) error {
					if !strPtrEq(up.Author, "Ann") {
						return fmt.Errorf("author on the server: %v", up.Author)
					}
					return nil
				})},
			},
		},
	})
}

// refreshedAfterFailedJob checks the request log for a read of upload id after the last
// poll of its failed update job.
func refreshedAfterFailedJob(srv *datocmstest.Server, id string) error {
	reqs := srv.Requests()
	put := slices.IndexFunc(reqs, func(q datocmstest.Request) bool { return q.Method == "PUT" && q.Path == "/uploads/"+id })
	if put < 0 {
		return errors.New("no PUT of the upload in the request log")
	}
	lastPoll := put
	for i, q := range reqs[put:] {
		if strings.HasPrefix(q.Path, "/job-results/") && q.Status == 200 {
			lastPoll = put + i
			break
		}
	}
	if !slices.ContainsFunc(reqs[lastPoll:], func(q datocmstest.Request) bool {
		return q.Method == "GET" && q.Path == "/uploads/"+id && q.Status == 200
	}) {
		return fmt.Errorf("upload %s was not read after its update job failed", id)
	}
	return nil
}

// TestAccUpload_faultDelayBeyondCreateTimeout: POST /uploads answers only after
// timeouts.create ran out, and is applied all the same (DatoCMS never notices the client
// left). The apply fails keeping the upload ID in state; the next apply finds the upload
// (no job to ask: it looks the upload up) and replaces it, since it is tainted: one upload.
func TestAccUpload_faultDelayBeyondCreateTimeout(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithFaultRules(datocmstest.FaultRule{Method: "POST", Path: "/uploads", Action: "delay", MS: 2500, Times: 1}))
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 153, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n  timeouts {\n    create = \"1s\"\n  }\n", src))
	var lateID string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: wrappedError(`Timed out creating upload.*before DatoCMS confirmed the create.*kept in state`),
			},
			{
				PreConfig: func() {
					// The late create is applied once the server has read it; wait for it.
					up, err := onlyUpload(srv)
					for i := 0; err != nil && i < 600; i++ {
						time.Sleep(50 * time.Millisecond)
						up, err = onlyUpload(srv)
					}
					if err != nil {
						t.Fatal(err)
					}
					lateID = up.ID
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{srv}, remote(srv, func(up datocmstest.Upload) error {
					if up.ID == lateID {
						return fmt.Errorf("the tainted upload %s was kept", lateID)
					}
					return nil
				})},
			},
		},
	})
}

package provider

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// seedInCollections puts count uploads on srv at once (SeedUploads), the i-th in
// collections[i % len(collections)], and gives every fifth one (from the first) metadata of
// every kind: author, copyright, notes, tags "brand" and "n<i>", alt text, title and custom
// data in two locales, and a focal point. It returns the uploads of each collection, oldest
// first.
func seedInCollections(t *testing.T, srv *datocmstest.Server, count int, collections ...string) map[string][]datocmstest.Upload {
	t.Helper()
	before := len(srv.Uploads(""))
	if _, err := srv.SeedUploads("", count, time.Time{}); err != nil {
		t.Fatal(err)
	}
	uploads := srv.Uploads("")[before:]
	for i, up := range uploads {
		err := srv.EditUpload("", up.ID, func(u *datocmstest.Upload) {
			u.UploadCollectionID = ptr(collections[i%len(collections)])
			if i%5 != 0 {
				return
			}
			u.Author, u.Copyright, u.Notes = ptr("Ann Example"), ptr("2026 ACME"), ptr(fmt.Sprintf("note %d", i))
			u.Tags = []string{"brand", fmt.Sprintf("n%d", i)}
			u.Metadata = map[string]datocmstest.LocaleMetadata{
				"en": {Alt: ptr(fmt.Sprintf("Alt %d", i)), Title: ptr("Title"), CustomData: map[string]any{"source": "seed"}},
				"it": {Alt: ptr(fmt.Sprintf("Alt it %d", i))},
			}
			u.FocalPoint = &datocmstest.FocalPoint{X: 0.25, Y: 0.75}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	out := map[string][]datocmstest.Upload{}
	for _, up := range srv.Uploads("")[before:] {
		out[*up.UploadCollectionID] = append(out[*up.UploadCollectionID], up)
	}
	return out
}

func uploadIDs(uploads []datocmstest.Upload) []string {
	ids := make([]string, len(uploads))
	for i, up := range uploads {
		ids[i] = up.ID
	}
	return ids
}

// queryServerCheck is a query check that asks the server: what the provider sent.
type queryServerCheck func() error

func (c queryServerCheck) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	resp.Error = c()
}

// TestAccUploadListResource_query: `terraform query` through terraform-plugin-testing's query
// steps. Each list block returns exactly the uploads the server holds that match its filters
// (a collection; a tag, in order), identified by their IDs and named by file name and ID;
// limit caps the results and the page the provider asks for; with include_resource the
// result holds the resource as an import reads it. A filter that does not validate and an
// API error fail the query with the provider's diagnostics.
func TestAccUploadListResource_query(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	heroes := srv.CreateUploadCollection("", "Heroes")
	archive := srv.CreateUploadCollection("", "Archive")
	byCollection := seedInCollections(t, srv, 12, heroes, archive)
	hero := byCollection[heroes][0] // has every kind of metadata
	var brand []string
	for _, up := range srv.Uploads("") {
		if hasTags(up, "brand") {
			brand = append(brand, up.ID)
		}
	}
	if len(byCollection[heroes]) != 6 || len(brand) != 3 {
		t.Fatalf("seeded %d uploads in Heroes and %d tagged brand, want 6 and 3", len(byCollection[heroes]), len(brand))
	}

	listBlocks := fmt.Sprintf(`
list "datocms_upload" "heroes" {
  provider         = datocms
  include_resource = true

  config {
    upload_collection_id = %[1]q
  }
}

list "datocms_upload" "brand" {
  provider = datocms

  config {
    tags     = ["brand"]
    order_by = "filename_DESC"
  }
}

list "datocms_upload" "first_five" {
  provider = datocms
  limit    = 5

  config {}
}
`, heroes)

	byID := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
	}
	checks := []querycheck.QueryResultCheck{
		querycheck.ExpectLength("datocms_upload.heroes", len(byCollection[heroes])),
		querycheck.ExpectLength("datocms_upload.brand", len(brand)),
		querycheck.ExpectLength("datocms_upload.first_five", 5),
		querycheck.ExpectResourceDisplayName("datocms_upload.heroes", byID(hero.ID), knownvalue.StringExact(hero.Filename+" ("+hero.ID+")")),
		querycheck.ExpectResourceKnownValues("datocms_upload.heroes", byID(hero.ID), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(hero.ID)},
			{Path: tfjsonpath.New("md5"), KnownValue: knownvalue.StringExact(hero.MD5)},
			{Path: tfjsonpath.New("url"), KnownValue: knownvalue.StringExact(hero.URL)},
			{Path: tfjsonpath.New("basename"), KnownValue: knownvalue.StringExact(hero.Basename)},
			{Path: tfjsonpath.New("author"), KnownValue: knownvalue.StringExact("Ann Example")},
			{Path: tfjsonpath.New("tags"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
				knownvalue.StringExact("brand"), knownvalue.StringExact("n0"),
			})},
			{Path: tfjsonpath.New("upload_collection_id"), KnownValue: knownvalue.StringExact(heroes)},
			{Path: tfjsonpath.New("default_field_metadata").AtMapKey("en").AtMapKey("alt"), KnownValue: knownvalue.StringExact("Alt 0")},
			{Path: tfjsonpath.New("default_field_metadata").AtMapKey("it").AtMapKey("alt"), KnownValue: knownvalue.StringExact("Alt it 0")},
			// As ImportState leaves them: the default replace_strategy, no file argument.
			{Path: tfjsonpath.New("replace_strategy"), KnownValue: knownvalue.StringExact(replaceStrategyCreateNewURL)},
			{Path: tfjsonpath.New("source"), KnownValue: knownvalue.Null()},
			{Path: tfjsonpath.New("content"), KnownValue: knownvalue.Null()},
		}),
		queryServerCheck(func() error {
			limits, brandQuery := map[string]bool{}, false
			for _, r := range srv.Requests() {
				if r.Method == "GET" && r.Path == "/uploads" {
					limits[r.Query.Get("page[limit]")] = true
					brandQuery = brandQuery || r.Query.Get("order_by") == "filename_DESC" && r.Query.Get("filter[fields][tags][all_in][]") == "brand"
				}
			}
			if !brandQuery {
				return fmt.Errorf("no GET /uploads asked for the brand tag in filename_DESC order")
			}
			// Terraform's default limit is 100; first_five asks for one page of 5; heroes'
			// collection filter lists the environment, 500 a page (DatoCMS has no filter by
			// collection: the client filters).
			if want := map[string]bool{"100": true, "5": true, "500": true}; !maps.Equal(limits, want) {
				return fmt.Errorf("GET /uploads page[limit] values %v, want %v", slices.Sorted(maps.Keys(limits)), slices.Sorted(maps.Keys(want)))
			}
			if n := srv.WriteCount(); n != 0 {
				return fmt.Errorf("the query made %d writes", n)
			}
			return nil
		}),
	}
	for _, id := range uploadIDs(byCollection[heroes]) {
		checks = append(checks, querycheck.ExpectIdentity("datocms_upload.heroes", map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}))
	}
	for _, id := range brand {
		checks = append(checks, querycheck.ExpectIdentity("datocms_upload.brand", map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}))
	}

	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   cliRequires(featureListResources),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The provider block, in the configuration the list blocks use.
				Config: providerBlock(srv, ""),
			},
			{
				PreConfig:         srv.ResetRequests,
				Query:             true,
				Config:            listBlocks,
				QueryResultChecks: checks,
			},
			{
				Query:       true,
				Config:      "list \"datocms_upload\" \"bad\" {\n  provider = datocms\n\n  config {\n    order_by = \"newest\"\n  }\n}\n",
				ExpectError: regexp.MustCompile(`must be comma-separated`),
			},
			{
				PreConfig: func() {
					if err := srv.SetFaultRules(datocmstest.FaultRule{Method: "GET", Path: "/uploads", Action: "status", Status: 403}); err != nil {
						t.Fatal(err)
					}
				},
				Query:       true,
				Config:      listBlocks,
				ExpectError: regexp.MustCompile(`Error listing uploads[\s\S]*lacks a permission`),
			},
		},
	})
}

// queryResults runs `terraform query -json` in ws and returns the identity ids of the
// results of each list block, by address, checking them against each block's total.
func queryResults(ctx context.Context, t *testing.T, ws *scenario.Workspace) map[string][]string {
	t.Helper()
	res, err := ws.Run(ctx, "query", "-json")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("query -json: %v\n%s", err, res)
	}
	ids, totals := map[string][]string{}, map[string]int{}
	scanner := bufio.NewScanner(strings.NewReader(res.Stdout))
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		var msg struct {
			Type  string `json:"type"`
			Found *struct {
				Address  string            `json:"address"`
				Identity map[string]string `json:"identity"`
			} `json:"list_resource_found"`
			Complete *struct {
				Address string `json:"address"`
				Total   int    `json:"total"`
			} `json:"list_complete"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &msg); err != nil {
			t.Fatalf("query -json: %v in %s", err, scanner.Bytes())
		}
		switch {
		case msg.Found != nil:
			ids[msg.Found.Address] = append(ids[msg.Found.Address], msg.Found.Identity["id"])
		case msg.Complete != nil:
			totals[msg.Complete.Address] = msg.Complete.Total
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	for address, total := range totals {
		if len(ids[address]) != total {
			t.Errorf("%s: %d results, but list_complete says %d", address, len(ids[address]), total)
		}
	}
	return ids
}

// TestQueryGenerateConfigOut: with 300 uploads in two collections, `terraform query` with a
// list block per collection finds exactly the uploads of each, and `terraform query
// -generate-config-out` writes an import block and a resource block for each, which
// `terraform plan` imports with no change: the resource object of each result is the state
// an import reads. It does so for both list resources: datocms_upload and
// datocms_upload_metadata. The real CLI runs the provider binary through dev_overrides, as
// users would (terraform-plugin-testing's query steps cannot generate configuration).
func TestQueryGenerateConfigOut(t *testing.T) {
	t.Parallel()
	skipUnlessCLIHas(t, featureListResources)
	srv := newTestServer(t)
	heroes := srv.CreateUploadCollection("", "Heroes")
	archive := srv.CreateUploadCollection("", "Archive")
	byCollection := seedInCollections(t, srv, 300, heroes, archive)
	for _, resourceType := range []string{"datocms_upload", "datocms_upload_metadata"} {
		t.Run(resourceType, func(t *testing.T) {
			ws := cliWorkspace(t, srv)
			if err := ws.WriteConfig("\nprovider \"datocms\" {}\n"); err != nil {
				t.Fatal(err)
			}
			// Terraform lists 100 results per block unless told otherwise.
			query := fmt.Sprintf(`list %[1]q "heroes" {
  provider = datocms
  limit    = 1000

  config {
    upload_collection_id = %[2]q
  }
}

list %[1]q "archive" {
  provider = datocms
  limit    = 1000

  config {
    upload_collection_id = %[3]q
  }
}
`, resourceType, heroes, archive)
			if err := ws.Write("uploads.tfquery.hcl", []byte(query)); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()

			// Each block finds exactly the uploads of its collection, as the server holds them.
			found := queryResults(ctx, t, ws)
			heroesAddr, archiveAddr := "list."+resourceType+".heroes", "list."+resourceType+".archive"
			for address, collection := range map[string]string{heroesAddr: heroes, archiveAddr: archive} {
				got, want := slices.Sorted(slices.Values(found[address])), slices.Sorted(slices.Values(uploadIDs(byCollection[collection])))
				if !slices.Equal(got, want) {
					t.Errorf("%s found %d uploads, want the %d of collection %s:\ngot  %q\nwant %q", address, len(got), len(want), collection, got, want)
				}
			}
			if n := len(found[heroesAddr]) + len(found[archiveAddr]); n != 300 {
				t.Fatalf("the query found %d uploads, want 300", n)
			}

			srv.ResetRequests()
			res, err := ws.Run(ctx, "query", "-generate-config-out=generated.tf")
			if err != nil || res.ExitCode != 0 {
				t.Fatalf("query -generate-config-out: %v\n%s", err, res)
			}
			generated := string(readFile(t, filepath.Join(ws.Dir, "generated.tf")))
			imports, resources := strings.Count(generated, "\nimport {"), strings.Count(generated, "\nresource \""+resourceType+"\" ")
			if imports != 300 || resources != 300 {
				t.Fatalf("generated.tf holds %d import blocks and %d %s blocks, want 300 of each", imports, resources, resourceType)
			}
			// One page per list block: the client pages, 500 uploads per request at most.
			if n := srv.CountRequests("GET", "/uploads"); n != 2 {
				t.Errorf("the query sent %d GET /uploads, want 2 (one page per list block)", n)
			}

			res, err = ws.Run(ctx, "plan", "-input=false", "-detailed-exitcode")
			if err != nil || res.ExitCode != 2 {
				t.Fatalf("plan of the generated configuration: %v\n%s", err, res)
			}
			if !strings.Contains(res.Stdout, "Plan: 300 to import, 0 to add, 0 to change, 0 to destroy.") {
				t.Errorf("plan of the generated configuration, want 300 imports and nothing else:\n%s", planChanges(res.Stdout))
			}
			if n := srv.WriteCount(); n != 0 {
				t.Errorf("query and plan made %d writes, want none", n)
			}
		})
	}
}

// planChanges keeps, of a plan's output, the lines that show changes (imports aside), the
// diagnostics and the summary: a plan of 300 imports is thousands of lines.
func planChanges(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "#") && !strings.HasSuffix(trimmed, "will be imported"),
			strings.HasPrefix(trimmed, "~"), strings.HasPrefix(trimmed, "+"), strings.HasPrefix(trimmed, "-"),
			strings.HasPrefix(trimmed, "Error"), strings.HasPrefix(trimmed, "Warning"), strings.HasPrefix(trimmed, "Plan:"):
			b.WriteString(line)
		}
	}
	return b.String()
}

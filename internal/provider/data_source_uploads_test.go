package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func hasTags(up datocmstest.Upload, tags ...string) bool {
	for _, tag := range tags {
		if !slices.Contains(up.Tags, tag) {
			return false
		}
	}
	return true
}

// serverUploadValue is the value datocms_uploads must return for up, from the server's view.
func serverUploadValue(up datocmstest.Upload) knownvalue.Check {
	str := func(p *string) knownvalue.Check {
		if p == nil || *p == "" {
			return knownvalue.Null()
		}
		return knownvalue.StringExact(*p)
	}
	num := func(p *int) knownvalue.Check {
		if p == nil {
			return knownvalue.Null()
		}
		return knownvalue.Int64Exact(int64(*p))
	}
	float := func(p *float64) knownvalue.Check {
		if p == nil {
			return knownvalue.Null()
		}
		return knownvalue.Float64Exact(*p)
	}
	tags := []knownvalue.Check{}
	for _, tag := range up.Tags {
		tags = append(tags, knownvalue.StringExact(tag))
	}
	locales := map[string]knownvalue.Check{}
	for loc, m := range up.Metadata {
		if m.Alt == nil && m.Title == nil && len(m.CustomData) == 0 {
			continue
		}
		locales[loc] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"alt": str(m.Alt), "title": str(m.Title)})
	}
	if up.FocalPoint != nil { // shown on the first locale, as datocms_upload shows it after an import
		locales["en"] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"focal_point": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"x": knownvalue.Float64Exact(up.FocalPoint.X), "y": knownvalue.Float64Exact(up.FocalPoint.Y),
		})})
	}
	var metadata knownvalue.Check = knownvalue.Null()
	if len(locales) > 0 {
		metadata = knownvalue.MapExact(locales)
	}
	timestamp := knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`))
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id": knownvalue.StringExact(up.ID), "url": knownvalue.StringExact(up.URL), "path": knownvalue.StringExact(up.Path),
		"basename": knownvalue.StringExact(up.Basename), "filename": knownvalue.StringExact(up.Filename),
		"md5": knownvalue.StringExact(up.MD5), "size": knownvalue.Int64Exact(up.Size),
		"format": str(up.Format), "mime_type": str(up.MimeType), "width": num(up.Width), "height": num(up.Height),
		"is_image": knownvalue.Bool(up.IsImage), "author": str(up.Author), "copyright": str(up.Copyright), "notes": str(up.Notes),
		"tags": knownvalue.SetExact(tags), "upload_collection_id": str(up.UploadCollectionID),
		"default_field_metadata": metadata, "created_at": timestamp, "updated_at": timestamp,
		"antivirus_status": str(&up.Antivirus.Status), "threat_name": str(up.Antivirus.ThreatName),
		"mux_playback_id": str(up.MuxPlaybackID), "mux_mp4_highest_res": str(up.MuxMP4HighestRes),
		"duration": float(up.Duration), "frame_rate": float(up.FrameRate), "poster_time": float(up.PosterTime),
	})
}

// TestAccUploadsDataSource_filters: each filter, and a combination, returns exactly the
// uploads the server holds that match it, with every attribute as the server holds it.
func TestAccUploadsDataSource_filters(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	heroes := srv.CreateUploadCollection("", "Heroes")
	heroPNG := pngContent(t, 10)
	seeded := seedUploads(t, srv, []seedUpload{
		{name: "hero.png", content: heroPNG, in: datocms.CreateUploadInput{
			Tags: []string{"hero", "home"}, UploadCollectionID: &heroes, Author: ptr("Jane Roe"),
			DefaultFieldMetadata: &datocms.FieldMetadata{
				Locales:    map[string]datocms.LocaleMetadata{"en": {Alt: ptr("Red fox"), Title: ptr("Fox")}},
				FocalPoint: &datocms.FocalPoint{X: 0.25, Y: 0.75},
			},
		}},
		{name: "banner.png", content: pngContent(t, 20), in: datocms.CreateUploadInput{Tags: []string{"hero"}}},
		{name: "manual.pdf", content: []byte("%PDF-1.4 manual"), in: datocms.CreateUploadInput{Tags: []string{"hero", "home"}, Author: ptr("Jane Roe")}},
		{name: "prices.csv", content: []byte("sku,price\n"), in: datocms.CreateUploadInput{Tags: []string{"home"}}},
		{name: "clip.mp4", content: []byte("not really a video"), in: datocms.CreateUploadInput{UploadCollectionID: &heroes}},
		{name: "readme.txt", content: []byte("plain text")},
		{name: "hero-copy.png", content: heroPNG},
	})
	if err := srv.EditUpload("", seeded[1].ID, func(u *datocmstest.Upload) {
		u.Metadata = map[string]datocmstest.LocaleMetadata{"it": {Alt: ptr("Striscione rosso")}}
	}); err != nil {
		t.Fatal(err)
	}
	heroMD5 := seeded[0].MD5

	config := providerBlock(srv, "") + fmt.Sprintf(`
data "datocms_uploads" "all" {}

data "datocms_uploads" "tagged" {
  tags = ["home", "hero"]
}

data "datocms_uploads" "images" {
  type = "image"
}

data "datocms_uploads" "documents" {
  type = "document"
}

data "datocms_uploads" "in_collection" {
  upload_collection_id = %[1]q
}

data "datocms_uploads" "other" {
  type = "other"
}

data "datocms_uploads" "query" {
  query = "roe"
}

data "datocms_uploads" "query_it" {
  query  = "striscione"
  locale = "it"
}

data "datocms_uploads" "same_file" {
  md5 = %[2]q
}

data "datocms_uploads" "combined" {
  tags     = ["hero"]
  type     = "image"
  order_by = "filename_DESC"
}

data "datocms_uploads" "none" {
  tags = ["no-such-tag"]
}
`, heroes, strings.ToUpper(heroMD5))

	ds := func(name string) string { return "data.datocms_uploads." + name }
	uploads := tfjsonpath.New("uploads")
	expect := func(name string, keep func(up datocmstest.Upload) bool) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(ds(name), uploads, uploadsWithIDs(serverUploads(srv, keep)))
	}
	isDocument := func(up datocmstest.Upload) bool {
		return slices.Contains([]string{"application/pdf", "text/csv"}, deref(up.MimeType))
	}
	hero, _ := srv.Upload("", seeded[0].ID)
	banner, _ := srv.Upload("", seeded[1].ID)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expect("all", func(datocmstest.Upload) bool { return true }),
				expect("tagged", func(up datocmstest.Upload) bool { return hasTags(up, "hero", "home") }),
				expect("images", func(up datocmstest.Upload) bool { return up.IsImage }),
				expect("documents", isDocument),
				expect("in_collection", func(up datocmstest.Upload) bool { return strPtrEq(up.UploadCollectionID, heroes) }),
				// readme.txt: of no documented type.
				statecheck.ExpectKnownValue(ds("other"), uploads, uploadsWithIDs([]string{seeded[5].ID})),
				expect("query", func(up datocmstest.Upload) bool { return strPtrEq(up.Author, "Jane Roe") }),
				expect("query_it", func(up datocmstest.Upload) bool { return up.ID == banner.ID }),
				expect("same_file", func(up datocmstest.Upload) bool { return up.MD5 == heroMD5 }),
				statecheck.ExpectKnownValue(ds("none"), uploads, knownvalue.ListSizeExact(0)),
				// order_by: filename descending.
				statecheck.ExpectKnownValue(ds("combined"), uploads, uploadsWithIDs([]string{seeded[0].ID, seeded[1].ID})),
				// Every attribute, as the server holds it.
				statecheck.ExpectKnownValue(ds("in_collection"), uploads.AtSliceIndex(0), serverUploadValue(hero)),
				statecheck.ExpectKnownValue(ds("query_it"), uploads.AtSliceIndex(0), serverUploadValue(banner)),
				statecheck.ExpectKnownValue(ds("all"), uploads, knownvalue.ListSizeExact(7)),
				// The filters reached the API as such.
				serverCheck(func() error {
					want := map[string]bool{
						"filter[fields][tags][all_in][]=hero,home": false, "filter[fields][type][eq]=image": false,
						"filter[fields][type][in][]=pdfdocument,richtext,presentation,spreadsheet": false,
						"filter[fields][type][not_in][]=" + strings.Join(datocms.UploadTypes, ","): false,
						"filter[query]=roe": false, "locale=it": false,
						"filter[fields][md5][eq]=" + heroMD5: false, "order_by=filename_DESC": false,
					}
					for _, r := range srv.Requests() {
						if r.Path != "/uploads" || r.Method != "GET" {
							continue
						}
						if r.Query.Get("page[limit]") != "500" {
							return fmt.Errorf("GET /uploads with page[limit]=%s, want 500", r.Query.Get("page[limit]"))
						}
						for key, vals := range r.Query {
							want[key+"="+strings.Join(vals, ",")] = true
							if strings.Contains(key, "upload_collection") {
								return fmt.Errorf("GET /uploads sent %s, a filter the API does not have", key)
							}
						}
					}
					for param, seen := range want {
						if !seen {
							return fmt.Errorf("no GET /uploads sent %s", param)
						}
					}
					return nil
				}),
			},
		}},
	})
}

// TestAccUploadsDataSource_pages: a library larger than one page (500) is read in full,
// with as few requests as the page size allows.
func TestAccUploadsDataSource_pages(t *testing.T) {
	t.Parallel()
	// Seeding 620 uploads through the API takes about 2,500 requests: no rate limit here.
	srv := newTestServer(t, datocmstest.WithRateLimit(0), datocmstest.WithJobDelay(0))
	const n = 620
	seeds := make([]seedUpload, n)
	for i := range seeds {
		seeds[i] = seedUpload{name: fmt.Sprintf("file-%03d.txt", i), content: fmt.Appendf(nil, "file %d", i)}
		if i%2 == 0 {
			seeds[i].in.Tags = []string{"even"}
		}
	}
	start := time.Now()
	seedUploads(t, srv, seeds)
	t.Logf("seeded %d uploads in %s", n, time.Since(start))
	srv.ResetRequests()

	config := providerBlock(srv, "") + `
data "datocms_uploads" "all" {}

data "datocms_uploads" "even" {
  tags = ["even"]
}

output "count" {
  value = length(data.datocms_uploads.all.uploads)
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("count", knownvalue.Int64Exact(n)),
				statecheck.ExpectKnownValue("data.datocms_uploads.all", tfjsonpath.New("uploads"),
					uploadsWithIDs(serverUploads(srv, func(datocmstest.Upload) bool { return true }))),
				statecheck.ExpectKnownValue("data.datocms_uploads.even", tfjsonpath.New("uploads"),
					uploadsWithIDs(serverUploads(srv, func(up datocmstest.Upload) bool { return hasTags(up, "even") }))),
				serverCheck(func() error {
					// Each read of "all" is two pages of 500, of "even" (310) one.
					pages := map[string]int{}
					for _, r := range srv.Requests() {
						if r.Method != "GET" || r.Path != "/uploads" {
							continue
						}
						if r.Query.Get("page[limit]") != "500" {
							return fmt.Errorf("page[limit]=%s, want 500", r.Query.Get("page[limit]"))
						}
						pages[r.Query.Get("filter[fields][tags][all_in][]")+"@"+r.Query.Get("page[offset]")]++
					}
					if len(pages) != 3 || pages["@0"] == 0 || pages["@0"] != pages["@500"] || pages["even@0"] != pages["@0"] {
						return fmt.Errorf("pages read (filter@offset: times) = %v, want @0, @500 and even@0, as often each", pages)
					}
					return nil
				}),
			},
		}},
	})
}

// TestAccUploadsDataSource_invalidArguments: the arguments are checked at plan time.
func TestAccUploadsDataSource_invalidArguments(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	one := func(body string) string {
		return providerBlock(srv, "") + "data \"datocms_uploads\" \"test\" {\n" + body + "\n}\n"
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: one(`  type = "picture"`), PlanOnly: true, ExpectError: wrappedError(`type.*value must be one of.*"document"`)},
			{Config: one(`  md5 = "abc"`), PlanOnly: true, ExpectError: wrappedError(`md5.*must be 32 hexadecimal digits`)},
			{Config: one(`  locale = "it"`), PlanOnly: true, ExpectError: wrappedError(`Attribute "query" must be specified when "locale" is specified`)},
			{Config: one(`  order_by = "newest"`), PlanOnly: true, ExpectError: wrappedError(`order_by.*_ASC or <field>_DESC`)},
			{Config: providerBlock(srv, "")}, // the destroy at the end runs with this configuration
		},
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestAccUploadsDataSource_unknownCollection: a collection that does not exist is an error
// naming upload_collection_id, not an empty list (DatoCMS cannot filter by collection, so the
// provider would otherwise read the whole library to find nothing).
func TestAccUploadsDataSource_unknownCollection(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerBlock(srv, "") + "data \"datocms_uploads\" \"x\" {\n  upload_collection_id = \"no-such-collection\"\n}\n",
			ExpectError: wrappedError(`Unknown upload collection.*upload_collection_id.*no upload collection "no-such-collection"`),
		}},
	})
	if n := srv.CountRequests("GET", "/uploads"); n != 0 {
		t.Errorf("%d listings of uploads for a collection that does not exist", n)
	}
}

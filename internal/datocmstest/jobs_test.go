package datocmstest

import (
	"testing"
	"time"
)

func TestJobFaults(t *testing.T) {
	t.Parallel()
	t.Run("fail without applying", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		s.FailNextJobs(1, false)
		path := c.putFile("a.txt", []byte("a"))
		id := newEntityID()
		res := c.waitJob(c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil)))
		status, payload := jobPayload(res)
		if status != 422 || dig(res.doc, "data", "attributes", "statusText") != "Unprocessable Entity" {
			t.Fatalf("job result %s", res.raw)
		}
		if dig(payload, "data", "0", "type") != "api_error" || dig(payload, "data", "0", "attributes", "code") != "INVALID_FIELD" ||
			dig(payload, "data", "0", "attributes", "details", "field") != "path" || dig(payload, "data", "0", "attributes", "details", "code") != "INVALID_FORMAT" {
			t.Errorf("payload %v", payload)
		}
		if _, ok := s.Upload("", id); ok {
			t.Fatal("failed job created the upload")
		}
		// The id is free again, and the next job succeeds.
		c.waitJob(c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil)))
		if _, ok := s.Upload("", id); !ok {
			t.Fatal("retry did not create the upload")
		}
	})
	t.Run("fail after applying", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
		s.FailNextJobs(1, true)
		res := c.waitJob(c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "applied"}, nil)))
		if status, _ := jobPayload(res); status != 422 {
			t.Fatalf("job result %s", res.raw)
		}
		if u, _ := s.Upload("", id); u.Notes == nil || *u.Notes != "applied" {
			t.Errorf("change not applied: %+v", u.Notes)
		}
	})
	t.Run("hang", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		s.HangNextJobs(1)
		path := c.putFile("a.txt", []byte("a"))
		id := newEntityID()
		r := c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil))
		r.want(t, 202)
		jobID := dig(r.doc, "data", "id").(string)
		time.Sleep(20 * time.Millisecond)
		c.do("GET", "/job-results/"+jobID, nil).wantError(t, 404, "NOT_FOUND")
		if _, ok := s.Upload("", id); ok {
			t.Fatal("hung job applied")
		}
		// Still reserved: a retry with the same id is a uniqueness error.
		c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil)).wantError(t, 422, "INVALID_FIELD", "id", "VALIDATION_UNIQUENESS")
		c.waitJob(c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil))) // only one hung
	})
	t.Run("delay changes for new jobs", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithJobDelay(time.Hour))
		path := c.putFile("a.txt", []byte("a"))
		slow := c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil))
		s.SetJobDelay(0)
		c.waitJob(c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)))
		c.do("GET", "/job-results/"+dig(slow.doc, "data", "id").(string), nil).wantError(t, 404, "NOT_FOUND")
	})
	t.Run("update of a deleted upload", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
		s.SetJobDelay(30 * time.Millisecond)
		r := c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "x"}, nil))
		c.do("DELETE", "/uploads/"+id, nil).want(t, 200)
		if status, _ := jobPayload(c.waitJob(r)); status != 404 {
			t.Errorf("job status %d, want 404", status)
		}
	})
	t.Run("queued updates apply in order", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithJobDelay(20*time.Millisecond))
		id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
		r1 := c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "first"}, nil))
		r2 := c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "second"}, nil))
		c.waitJob(r1)
		c.waitJob(r2)
		if u, _ := s.Upload("", id); *u.Notes != "second" {
			t.Errorf("notes = %s", *u.Notes)
		}
	})
}

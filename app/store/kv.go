// Package store holds small database-backed building blocks shared by the
// surfaces, such as the key-value storage Fiber middleware needs, so that
// every instance sees the same state.
package store

import (
	"context"
	"time"

	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/kv"
)

// KVStorage implements fiber.Storage on the KV table, so CSRF tokens (and
// anything else Fiber keeps) are shared by all instances.
type KVStorage struct {
	db *ent.Client
}

// NewKVStorage returns the storage over client.
func NewKVStorage(client *ent.Client) *KVStorage { return &KVStorage{db: client} }

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// Get returns the value of key, or nil when absent or expired.
func (s *KVStorage) Get(key string) ([]byte, error) {
	c, cancel := ctx()
	defer cancel()
	e, err := s.db.KV.Get(c, key)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if e.ExpiresAt != nil && time.Now().After(*e.ExpiresAt) {
		return nil, nil
	}
	return e.Value, nil
}

// Set stores val under key for exp (0: no expiry).
func (s *KVStorage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	c, cancel := ctx()
	defer cancel()
	create := s.db.KV.Create().SetID(key).SetValue(val)
	if exp > 0 {
		create = create.SetExpiresAt(time.Now().Add(exp).UTC())
	}
	return create.OnConflictColumns(kv.FieldID).UpdateNewValues().Exec(c)
}

// Delete removes key.
func (s *KVStorage) Delete(key string) error {
	c, cancel := ctx()
	defer cancel()
	_, err := s.db.KV.Delete().Where(kv.ID(key)).Exec(c)
	return err
}

// Reset removes every key.
func (s *KVStorage) Reset() error {
	c, cancel := ctx()
	defer cancel()
	_, err := s.db.KV.Delete().Exec(c)
	return err
}

// Close does nothing: the database outlives the storage.
func (s *KVStorage) Close() error { return nil }

// Sweep deletes expired entries; the sweep_kv periodic job (app/jobs) runs it
// once per period for the whole cluster.
func (s *KVStorage) Sweep(c context.Context) (int, error) {
	return s.db.KV.Delete().Where(kv.ExpiresAtLT(time.Now().UTC())).Exec(c)
}

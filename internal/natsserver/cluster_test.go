package natsserver

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestStartClusterReplicatesStream(t *testing.T) {
	began := time.Now()
	servers, err := StartCluster([]string{t.TempDir(), t.TempDir(), t.TempDir()}, true)
	if err != nil {
		t.Fatalf("StartCluster: %v", err)
	}
	t.Cleanup(func() { shutdownAll(servers) })
	t.Logf("cluster ready in %s", time.Since(began))
	if got, want := len(servers), 3; got != want {
		t.Fatalf("servers = %d, want %d", got, want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	writer, err := jetstream.New(connect(t, servers[0].ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := writer.CreateStream(ctx, jetstream.StreamConfig{
		Name: "R3", Subjects: []string{"r3.>"}, Storage: jetstream.FileStorage, Replicas: 3,
	})
	if err != nil {
		t.Fatalf("CreateStream R3: %v", err)
	}
	if got, want := len(stream.CachedInfo().Cluster.Replicas), 2; got != want {
		t.Errorf("other replicas = %d, want %d", got, want)
	}
	ack, err := writer.Publish(ctx, "r3.one", []byte("hello"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got, want := ack.Sequence, uint64(1); got != want {
		t.Errorf("ack seq = %d, want %d", got, want)
	}

	reader, err := jetstream.New(connect(t, servers[2].ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := reader.Stream(ctx, "R3")
	if err != nil {
		t.Fatalf("Stream from other node: %v", err)
	}
	msg, err := rs.GetMsg(ctx, ack.Sequence)
	if err != nil {
		t.Fatalf("GetMsg: %v", err)
	}
	if got, want := string(msg.Data), "hello"; got != want {
		t.Errorf("data = %q, want %q", got, want)
	}
}

func TestStartClusterRejectsTooFewDirs(t *testing.T) {
	if _, err := StartCluster([]string{t.TempDir()}, false); err == nil {
		t.Fatal("StartCluster with 1 dir succeeded, want error")
	}
}

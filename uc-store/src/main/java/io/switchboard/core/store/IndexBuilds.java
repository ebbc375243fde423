package io.switchboard.core.store;

import java.util.ArrayList;
import java.util.function.Supplier;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Which index maps in the embedded store's file hold a complete build: a map of ours from an index map's
 * name to the id its map had when its build completed. A map enters the file with the first commit after
 * it is opened, filled or not: a checkpoint while {@code createIndex} fills a new index over a large
 * collection, then a kill, left a part of the index in the file, which the next start took for the whole.
 * So an open trusts a stored index map only when it is marked (then without reading the collection, even
 * when the map is empty: a sparse index whose field no document has), and builds any other again from the
 * documents ({@link JournaledCollection#addIndex}).
 *
 * <p>A mark is written only after a commit that began after the build's last entry, and MVStore commits
 * one at a time, each taking every map as it is at some moment after it began: so a file that holds the
 * mark holds the whole build. The map's id goes with the name because a map dropped and made again (by a
 * replay, a dropped index or collection) gets a new one: an old mark does not vouch for the new map.
 *
 * <p>A file from before marks (no such map) is opened as every start opened it before: each index map in it
 * is taken as built and marked, once, so that the first start after the upgrade reads no history (building
 * them all again would cost that start a scan of every indexed collection). A partial map in such a file
 * needs the old version killed during a {@code createIndex} after a checkpoint caught part of it: the case
 * that marks close from then on.
 */
final class IndexBuilds {

  /** No dot: a database's drop removes the maps named with its name and a dot. */
  static final String MARKS = "switchboard-built-indexes";

  private final MVStore file;
  private final MVMap<String, Integer> marks;
  /** Null while the backend's constructor runs: then nothing else writes or commits, and a commit is the file's. */
  private final Supplier<StoreJournal> journal;
  /** Tests only: runs after each entry a build adds, to checkpoint in the middle of one. */
  private volatile Runnable afterEachEntry = () -> { };

  /** Blocking: opens the marks (marking every index map of a file from before marks); forgets those of removed maps. */
  IndexBuilds(MVStore file, Supplier<StoreJournal> journal) {
    this.file = file;
    this.journal = journal;
    boolean beforeMarks = !file.hasMap(MARKS);
    this.marks = file.openMap(MARKS);
    if (beforeMarks) {
      for (String name : new ArrayList<>(file.getMapNames())) {
        if (StoreFileFormat.isIndex(name)) {
          mark(file.openMap(name, BsonH2Backend.indexMap()));
        }
      }
    }
    for (String name : new ArrayList<>(marks.keySet())) {
      if (!file.hasMap(name)) {
        marks.remove(name);
      }
    }
  }

  /** Whether {@code map} holds a complete build (its mark is in the file, or about to be: see {@link #completed}). */
  boolean built(MVMap<?, ?> map) {
    Integer id = marks.get(map.getName());
    return id != null && id == map.getId();
  }

  void afterEachEntry(Runnable action) {
    afterEachEntry = action;
  }

  void entryAdded() {
    afterEachEntry.run();
  }

  /**
   * Blocking: the build of {@code map} is complete: committed, then marked, then that committed (see the class
   * comment). A build that added nothing (every new collection's {@code _id} index) is only marked: any commit
   * may take that mark, the map has nothing to wait for.
   */
  void completed(MVMap<?, ?> map, long entries) {
    if (entries == 0) {
      mark(map);
      return;
    }
    commit();
    mark(map);
    commit();
  }

  /** Blocking: a build that failed (a unique index over duplicates) takes its map out of the file, at once. */
  void failed(MVMap<?, ?> map) {
    file.removeMap(map);
    commit();
  }

  private void mark(MVMap<?, ?> map) {
    marks.put(map.getName(), map.getId());
  }

  /** A checkpoint when journaled (a map's state is no journaled write), else a commit of the file. */
  private void commit() {
    StoreJournal log = journal.get();
    if (log != null) {
      log.structureChanged();
    } else {
      file.commit();
    }
  }
}

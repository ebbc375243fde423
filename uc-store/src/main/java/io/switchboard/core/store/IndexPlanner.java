package io.switchboard.core.store;

import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Chooses, among one collection's indexes, the one that answers a query. mongo-java-server asks its
 * indexes one by one, in the order they were opened (after a restart: the order of the index
 * descriptions, which is random), and takes the first that says it can: so each of our indexes says
 * yes only when it is the best of its collection for that query (the highest {@link Planned#score},
 * ties to the lower name), and a query none can help with is scanned as before.
 */
final class IndexPlanner {

  /** An index that scores queries: 0 cannot help; higher is fewer documents to look at. */
  interface Planned {

    String getName();

    int score(QueryShape shape);
  }

  private final List<Planned> indexes = new CopyOnWriteArrayList<>();

  void add(Planned index) {
    indexes.add(index);
  }

  void remove(Planned index) {
    indexes.remove(index);
  }

  /** The index that answers the query, or null (a scan). */
  Planned choose(Document query) {
    QueryShape shape = QueryShape.of(query);
    Planned best = null;
    int bestScore = 0;
    for (Planned index : indexes) {
      int score = index.score(shape);
      if (score > bestScore || score == bestScore && score > 0 && index.getName().compareTo(best.getName()) < 0) {
        best = index;
        bestScore = score;
      }
    }
    return best;
  }
}

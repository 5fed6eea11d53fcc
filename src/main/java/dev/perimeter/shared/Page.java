package dev.perimeter.shared;

import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One page of a list: {@code {"items": [...], "nextCursor": …}}. {@code nextCursor} is {@code null} on the last page.
 */
public record Page<T>(List<T> items, @Nullable String nextCursor) {

    public Page {
        items = List.copyOf(items);
    }

    /**
     * The page made of rows fetched with {@code limit + 1}: the extra row, when present, only says that there is a next
     * page, which starts after the last item kept.
     */
    public static <T> Page<T> ofRows(List<T> rows, int limit, Function<? super T, Cursor> cursorOf) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> items = rows.subList(0, limit);
        return new Page<>(items, cursorOf.apply(items.getLast()).encode());
    }

    /** The same page with every item converted. */
    public <R> Page<R> map(Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R>map(mapper).toList(), nextCursor);
    }
}

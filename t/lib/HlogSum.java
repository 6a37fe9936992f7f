// HlogSum.java - reads an HdrHistogram interval log with HdrHistogram's own HistogramLogReader
// and prints, per tag, the intervals, the total count and the summed histogram's buckets:
// "TAG intervals N", "TAG count N", then "TAG bucket HIGHEST_EQUIVALENT_VALUE COUNT" lines.
import java.io.File;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;

public class HlogSum {
    public static void main(String[] args) throws Exception {
        HistogramLogReader reader = new HistogramLogReader(new File(args[0]));
        TreeMap<String, Histogram> sums = new TreeMap<>();
        TreeMap<String, Integer> intervals = new TreeMap<>();
        EncodableHistogram e;
        while ((e = reader.nextIntervalHistogram()) != null) {
            Histogram h = (Histogram) e;
            String tag = h.getTag() == null ? "-" : h.getTag();
            Histogram s = sums.get(tag);
            if (s == null) {
                s = new Histogram(h.getLowestDiscernibleValue(), h.getHighestTrackableValue(),
                        h.getNumberOfSignificantValueDigits());
                sums.put(tag, s);
            }
            s.add(h);
            intervals.merge(tag, 1, Integer::sum);
        }
        for (String tag : sums.keySet()) {
            Histogram s = sums.get(tag);
            System.out.println(tag + " intervals " + intervals.get(tag));
            System.out.println(tag + " count " + s.getTotalCount());
            for (HistogramIterationValue v : s.recordedValues())
                System.out.println(tag + " bucket " + v.getValueIteratedTo() + " " + v.getCountAtValueIteratedTo());
        }
    }
}

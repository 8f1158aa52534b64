package dev.kubegate.k8s;

import java.util.Optional;

/**
 * What RequestInfo reads of {@code metainternalversion.ListOptions} when the API server decodes
 * the query with {@code ParameterCodec.DecodeParameters}: query → {@code metav1.ListOptions}
 * (generated {@code Convert_url_Values_To_v1_ListOptions}) → internal ListOptions (label and field
 * selectors parsed). Every conversion that can fail is reproduced, because any failure changes
 * the classification: the API server then ignores the field selector and re-reads {@code watch}
 * with a slightly different rule (see {@link #afterDecodeError}).
 *
 * @param watch the decoded {@code watch} flag
 * @param fieldSelector the parsed field selector; selects everything when absent or not decoded
 */
record ListOptions(boolean watch, FieldSelector fieldSelector) {

    private static final ListOptions NONE = new ListOptions(false, FieldSelector.EVERYTHING);

    static ListOptions decode(QueryParams query) throws DecodeException {
        if (query.isEmpty()) {
            return NONE; // DecodeParameters returns at once for no parameters
        }
        // Each parameter: only the first value counts, a missing one keeps the zero value.
        boolean watch = query.first("watch").map(ListOptions::convertBool).orElse(false);
        // Integers are the only url.Values → v1 conversions that can fail.
        for (String intParam : new String[] {"timeoutSeconds", "limit"}) {
            Optional<String> value = query.first(intParam);
            if (value.isPresent()) {
                GoCompat.parseInt64(value.get());
            }
        }
        // allowWatchBookmarks, sendInitialEvents (booleans), resourceVersion, resourceVersionMatch and
        // continue (strings) cannot fail and RequestInfo does not read them.
        LabelSelector.validate(query.first("labelSelector").orElse(""));
        FieldSelector fields = FieldSelector.parse(query.first("fieldSelector").orElse(""));
        return new ListOptions(watch, fields);
    }

    /**
     * {@code runtime.Convert_Slice_string_To_bool}: only "0" and any case-folding of "false" are
     * false; anything else, the empty string included, is true.
     */
    static boolean convertBool(String value) {
        return !(value.equals("0") || GoCompat.equalFoldFalse(value));
    }

    /**
     * NewRequestInfo's fallback when decoding failed: no field selector, and {@code watch} read by
     * {@link #lenientBool}.
     */
    static ListOptions afterDecodeError(QueryParams query) {
        return new ListOptions(query.first("watch").map(ListOptions::lenientBool).orElse(false), FieldSelector.EVERYTHING);
    }

    /**
     * The fallback's rule, which is also {@code Convert_Slice_string_To_bool} of API servers before
     * it switched to EqualFold: false only when {@code strings.ToLower(value)} is "false" or "0".
     * It differs from {@link #convertBool} for "falſe" alone (long s), which the parser refuses.
     */
    static boolean lenientBool(String value) {
        return !(value.equals("0") || GoCompat.toLowerIsFalse(value));
    }
}

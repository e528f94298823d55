# table.awk -- turn the "key value" lines of tests/bench/run.sh into the
# table "make bench" prints.  Targets are those of issues 6 and 16.
{ v[$1] = $2 }

function has(k) { return (k in v) && v[k] != "" && v[k] != "timeout" }
function f(k, fmt) { return has(k) ? sprintf(fmt, v[k]) : "n/a" }
function verdict(ok) { return ok ? "PASS" : "MISS" }
function row(what, figure, target, ok) {
    printf "| %-44s | %-40s | %-22s | %-4s |\n", what, figure, target,
        target == "" ? "" : (ok == "" ? "n/a" : verdict(ok))
}

# One output shape (issue 16): ours against libvterm alone on the same
# writes (the ceiling) and against emacs-libvterm, from one run.
function shape(tag, what, tui,    k, ours, c, e, pct, x, target, ok, fig) {
    k = "shape_" tag
    if (!has(k "_ours_secs") || !has(k "_ceiling_secs")) {
        row(what, "n/a", "", "")
        return
    }
    ours = v[k "_ours_secs"]; c = v[k "_ceiling_secs"]
    pct = 100 * c / ours
    x = has(k "_elv_secs") ? v[k "_elv_secs"] / ours : 0
    floor = tui ? 90 : 85
    target = (tag == "stream" ? "" : ">= " floor "%, ") ">= 1.5x e-l"
    ok = x >= 1.5 && (tag == "stream" || pct >= floor)
    fig = sprintf("%.0f%% of ceiling, %s e-l", pct, x ? sprintf("%.2fx", x) : "n/a")
    if (tui)
        fig = sprintf("%.0f fps, ", v[k "_writes"] / ours) fig
    row(what, fig, target, has(k "_elv_secs") ? ok : "")
    if (has(k "_base_secs"))
        row("  baseline build (BENCH_BASELINE)", sprintf("%.0f%% of ceiling, %.2fx e-l",
            100 * c / v[k "_base_secs"], x ? v[k "_elv_secs"] / v[k "_base_secs"] : 0), "", "")
    if (tui)
        row("  fps: ceiling, render core, e-l", sprintf("%.0f, %.0f, %s",
            v[k "_writes"] / c, v[k "_writes"] / v[k "_render_secs"],
            x ? sprintf("%.0f", v[k "_writes"] / v[k "_elv_secs"]) : "n/a"), "", "")
    else
        row("  MB/s: ceiling, render core, e-l", sprintf("%.1f, %.1f, %s",
            v[k "_bytes"] / c / 1e6, v[k "_bytes"] / v[k "_render_secs"] / 1e6,
            x ? sprintf("%.1f", v[k "_bytes"] / v[k "_elv_secs"] / 1e6) : "n/a"), "", "")
}

END {
    printf "vterm benchmarks, %s, %d CPUs, load %s, %d s\n\n", date, cpu, load, elapsed
    printf "| %-44s | %-40s | %-22s | %-4s |\n", "measure", "figure", "target", ""
    printf "|%s|%s|%s|%s|\n", "----------------------------------------------",
        "------------------------------------------", "------------------------", "------"

    # 1. Throughput
    if (has("floor_pty_mbps"))
        row("Emacs reading 12 MB, no-op filter (floor)",
            sprintf("pty %.0f MB/s, pipe %.0f MB/s", v["floor_pty_mbps"], v["floor_pipe_mbps"]), "", "")
    if (has("floor_pty_mbps") && has("plain_ceiling_mbps"))
        for (ki = 1; ki <= 2; ki++) {
            kind = ki == 1 ? "plain" : "sgr"
            c = v[kind "_ceiling_mbps"]; fl = v["floor_pty_mbps"]
            # libvterm's time plus Emacs's own read loop, nothing else:
            # the best parsing on Emacs's thread can do (the parse thread
            # overlaps the two and can beat it).
            best = 1 / (1 / c + 1 / fl)
            row("  libvterm + read loop in turn, pty, " kind, sprintf("%.1f MB/s = %.0f%% of ceiling",
                best, 100 * best / c), "", "")
        }
    for (ki = 1; ki <= 2; ki++) {
        kind = ki == 1 ? "plain" : "sgr"
        if (!has(kind "_ceiling_mbps"))
            continue # a run without them (BENCH_ONLY=persist)
        ceil = v[kind "_ceiling_mbps"]
        row("libvterm ceiling, " kind " (in-process)", f(kind "_ceiling_mbps", "%.1f MB/s"), "", "")
        if (has(kind "_render_mbps"))
            row("render core alone, " kind " (render.c)",
                sprintf("%.1f MB/s = %.0f%% of ceiling", v[kind "_render_mbps"],
                100 * v[kind "_render_mbps"] / ceil), "", "")
        for (pi = 1; pi <= 2; pi++) {
            path = pi == 1 ? "pty" : "proxy"
            k = "tp_" path "_" kind
            if (has(k "_mbps")) {
                ratio = v[k "_mbps"] / ceil
                row("cat 12 MB " kind ", " path ", Emacs",
                    sprintf("%.1f MB/s = %.0f%% of ceiling", v[k "_mbps"], 100 * ratio),
                    ">= 60% of ceiling", ratio >= 0.6 ? 1 : 0)
                row("  GC during it", sprintf("%.2f s (%d%%), %d GCs", v[k "_gc_secs"],
                    v[k "_gc_pct"], v[k "_gcs"]), "", "")
                row("  last line shown, then all scrollback", sprintf("%.3f s, %.3f s",
                    v[k "_secs"], v[k "_full_secs"]), "", "")
            } else
                row("cat 12 MB " kind ", " path ", Emacs", "n/a", ">= 60% of ceiling", "")
        }
        kp = "tp_proxy_" kind "_mbps"; kn = "tp_pty_" kind "_mbps"
        if (has(kp) && has(kn))
            row("proxy / native pty, " kind, sprintf("%.0f%%", 100 * v[kp] / v[kn]),
                ">= 90%", v[kp] / v[kn] >= 0.9 ? 1 : 0)
    }

    # Output shapes, vterm--write-input and vterm--redraw in emacs --batch
    if (has("shape_ascii_ceiling_secs")) {
        shape("ascii", "ASCII lines, 1 MB, one write, 24x80", 0)
        shape("emoji", "emoji (ZWJ, flags, tones)+CJK+ASCII, same", 0)
        shape("cjk", "CJK lines, same", 0)
        shape("combining", "combining marks, same", 0)
        shape("urls", "URL-heavy lines, same", 0)
        shape("wide", "lines 2-5x the width, same", 0)
        shape("stream", "ASCII, 4 KiB writes, redraw every 16", 0)
        shape("tui24", "coloured full-screen frames, 24x80", 1)
        shape("tui40", "coloured full-screen frames, 40x120", 1)
        shape("status", "status line (bottom row only), 24x80", 1)
        # Issue 16 item 5: what libvterm spends on lines scrolled off
        # (cells built for sb_pushline), which skipping lines no redraw
        # would show could save without changing libvterm.
        for (ki = 1; ki <= 2; ki++) {
            tag = ki == 1 ? "ascii" : "emoji"
            k = "shape_" tag "_ceiling"
            if (has(k "_nosb_secs"))
                row("  libvterm without sb_pushline, " tag, sprintf("%.0f%% of the ceiling's time",
                    100 * v[k "_nosb_secs"] / v[k "_secs"]), "", "")
        }
    }

    # A busy machine: the parse thread against Emacs's own thread
    for (ki = 1; ki <= 2; ki++) {
        kind = ki == 1 ? "plain" : "sgr"
        t = "busy_thread_" kind "_mbps"; e = "busy_emacs_" kind "_mbps"
        if (has(t) && has(e))
            row("cat 12 MB " kind ", pty, a CPU hog per core",
                sprintf("thread %.1f, Emacs's %.1f MB/s = %.2fx", v[t], v[e], v[t] / v[e]),
                "thread >= Emacs's", v[t] >= v[e] ? 1 : 0)
    }

    # 2. Resize
    if (has("resize_direct_p99_us")) {
        row("resize, Linux, direct channel (1000)", sprintf("p50 %.0f us, p99 %.0f us",
            v["resize_direct_p50_us"], v["resize_direct_p99_us"]), "p99 < 1 ms",
            v["resize_direct_p99_us"] < 1000 ? 1 : 0)
        row("resize, Linux, conpty-proxy resize (1000)", sprintf("p50 %.0f us, p99 %.0f us",
            v["resize_helper_p50_us"], v["resize_helper_p99_us"]), "", "")
        r50 = v["resize_helper_p50_us"] / v["resize_direct_p50_us"]
        r99 = v["resize_helper_p99_us"] / v["resize_direct_p99_us"]
        row("  helper / direct, Linux", sprintf("%.0fx at p50, %.0fx at p99", r50, r99),
            ">= 10x", (r50 >= 10 && r99 >= 10) ? 1 : 0)
        row("  applied by the proxy (trace log)", sprintf("%d of 2000, %d failed",
            v["resize_applied"], v["resize_failed"]), "", "")
    }
    if (has("wine_resize_direct_p99_us")) {
        row("resize, Wine, direct channel (1000)", sprintf("p50 %.0f us, p99 %.0f us",
            v["wine_resize_direct_p50_us"], v["wine_resize_direct_p99_us"]), "", "")
        row("resize, Wine, conpty-proxy.exe resize (1000)", sprintf("p50 %.0f us, p99 %.0f us",
            v["wine_resize_helper_p50_us"], v["wine_resize_helper_p99_us"]), "", "")
        r50 = v["wine_resize_helper_p50_us"] / v["wine_resize_direct_p50_us"]
        r99 = v["wine_resize_helper_p99_us"] / v["wine_resize_direct_p99_us"]
        row("  helper / direct, Wine", sprintf("%.0fx at p50, %.0fx at p99", r50, r99),
            ">= 10x", (r50 >= 10 && r99 >= 10) ? 1 : 0)
        row("  reached the proxy (trace log)", sprintf("%d of 2000, hr=%s, %d respawns",
            v["wine_resize_logged"] - 1, v["wine_resize_hr"], v["wine_resize_spawn_errors"]), "", "")
    } else
        row("resize under Wine", "n/a", "", "")

    # 3. Echo
    for (pi = 1; pi <= 2; pi++) {
        path = pi == 1 ? "pty" : "proxy"
        k = "echo_" path
        if (has(k "_p99_ms"))
            row("keystroke echo, " path " (500 keys)",
                sprintf("p50 %.2f ms, p99 %.2f ms", v[k "_p50_ms"], v[k "_p99_ms"]),
                "p99 < 10 ms", v[k "_p99_ms"] < 10 ? 1 : 0)
        else
            row("keystroke echo, " path, "n/a", "p99 < 10 ms", "")
    }

    # 4. Idle
    if (has("idle_proxy_wakeups"))
        row("idle proxy, 10 s", sprintf("%.1f ms CPU (%.3f%%), %d wake-ups",
            v["idle_proxy_cpu_ms"], v["idle_proxy_cpu_pct"], v["idle_proxy_wakeups"]),
            "0 wake-ups, < 0.1% CPU",
            (v["idle_proxy_wakeups"] == 0 && v["idle_proxy_cpu_pct"] < 0.1) ? 1 : 0)
    else
        row("idle proxy, 10 s", "n/a", "0 wake-ups, < 0.1% CPU", "")
    if (has("idle_emacs_wakeups")) {
        # The buffer's share: Emacs with it minus Emacs alone, same wait.
        share = v["idle_emacs_cpu_ms"] - v["idle_emacs_base_cpu_ms"]
        pct = share / (10 * v["idle_emacs_secs"])
        row("idle Emacs process, 10 s, no vterm buffer",
            sprintf("%.1f ms CPU, %.1f wake-ups (mean of 2)",
            v["idle_emacs_base_cpu_ms"], v["idle_emacs_base_wakeups"]), "", "")
        row("idle Emacs process, 10 s, idle vterm buffer",
            sprintf("%.1f ms CPU, %d wake-ups", v["idle_emacs_cpu_ms"],
            v["idle_emacs_wakeups"]), "", "")
        row("  the vterm buffer's share",
            sprintf("%.1f ms CPU (%.3f%%), %+.1f wake-ups", share, pct,
            v["idle_emacs_wakeups"] - v["idle_emacs_base_wakeups"]), "< 0.1% CPU",
            pct < 0.1 ? 1 : 0)
    } else
        row("idle vterm buffer (Emacs process), 10 s", "n/a", "< 0.1% CPU", "")

    # 5. Memory
    if (has("stall_hwm_kb")) {
        bound = v["stall_queue_bound_kb"] / 1024
        row("proxy VmHWM, stalled reader, 100 MB pending",
            sprintf("%.1f MiB (then %.0f MB delivered)", v["stall_hwm_kb"] / 1024,
            v["stall_delivered_mb"]),
            sprintf("<= %g + 8 = %g MiB", bound, bound + 8),
            v["stall_hwm_kb"] <= (bound + 8) * 1024 ? 1 : 0)
    }
    if (has("sbmem_bytes"))
        row("render core, 100000 lines of scrollback",
            sprintf("%.1f MiB (%.0f B/line)", v["sbmem_bytes"] / 1048576,
            v["sbmem_bytes_per_line"]), "", "")
    if (has("mem_emacs_rss_delta_kb"))
        row("Emacs RSS growth, same in a vterm buffer",
            sprintf("%.1f MiB (buffer text %.1f MB)", v["mem_emacs_rss_delta_kb"] / 1024,
            v["mem_buffer_bytes"] / 1e6), "", "")

    # 6. Persistent sessions (issue 17, BENCH_ONLY=persist)
    for (ki = 1; ki <= 2; ki++) {
        kind = ki == 1 ? "plain" : "sgr"
        ka = "tp_attach_" kind; kp = "tp_proxy_" kind
        if (has(ka "_mbps") && has(kp "_mbps"))
            row("cat 12 MB " kind ", attached / new", sprintf("%.1f / %.1f MB/s = %.0f%%",
                v[ka "_mbps"], v[kp "_mbps"], 100 * v[ka "_mbps"] / v[kp "_mbps"]),
                ">= 85%", v[ka "_mbps"] / v[kp "_mbps"] >= 0.85 ? 1 : 0)
    }
    if (has("attach_ms"))
        row("attach: 10000 lines + full screen, median of 20",
            sprintf("%.0f ms (%.0f-%.0f), %d lines", v["attach_ms"], v["attach_min_ms"],
            v["attach_max_ms"], v["attach_lines"]), "< 200 ms", v["attach_ms"] < 200 ? 1 : 0)
    if (has("idle_server_wakeups"))
        row("idle detached server, 10 s (/proc)", sprintf("%d ticks CPU, %d wake-ups",
            v["idle_server_ticks"], v["idle_server_wakeups"]), "0 wake-ups, no CPU",
            v["idle_server_ticks"] == 0 && v["idle_server_wakeups"] == 0 ? 1 : 0)
}

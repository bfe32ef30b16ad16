import Foundation
import OeuvreCore

/// How training pairs are weighted by class.
public enum ClassWeighting: String, Sendable, Codable, CaseIterable {
    /// Each class carries half of the total weight (positives are usually rare).
    case balanced
    /// Every pair weighs 1.
    case none
}

/// Wall seconds per phase of a fit (for benchmarks).
public struct FitTimings: Sendable {
    /// Statistics, standardized copy, warm-start subset.
    public var setup = 0.0
    /// Margins and loss (one sgemv each, line search included).
    public var margins = 0.0
    /// Residuals, curvature weights, gradient (one transposed sgemv).
    public var gradient = 0.0
    /// XᵀWX (scaled row blocks + ssyrk).
    public var hessian = 0.0
    /// Cholesky solve.
    public var solve = 0.0
}

/// A fitted logistic regression on standardized features: p = σ(w·(x − mean)/std + bias).
public struct LogisticFit: Sendable {
    public var weights: [Double]
    public var bias: Double
    public var mean: [Double]
    public var std: [Double]
    public var iterations: Int
    public var converged: Bool
    /// Final penalized, class-weighted training loss per pair.
    public var loss: Double
    /// Newton iterations on the warm-start row subset before `iterations` on all rows (see
    /// `LogisticRegression.Options.warmStartRows`).
    public var warmStartIterations: Int = 0
    /// Where the fitting time went.
    public var timings = FitTimings()

    /// Weights and bias on raw (unstandardized) features, optionally composed with a Platt calibration
    /// σ(a·z + b): scoring is then one matrix-vector product.
    public func rawWeights(calibration: (a: Double, b: Double)? = nil) -> (weights: [Float], bias: Float) {
        let a = calibration?.a ?? 1, c = calibration?.b ?? 0
        var w = [Float](repeating: 0, count: weights.count)
        var b = bias
        for j in weights.indices {
            w[j] = Float(a * weights[j] / std[j])
            b -= weights[j] * mean[j] / std[j]
        }
        return (w, Float(a * b + c))
    }
}

/// L2-regularized, class-weighted logistic regression fitted by Newton's method (IRLS).
///
/// Features are standardized (mean 0, std 1; constant features keep std 1). Each iteration costs one
/// `sgemv` for the margins, one transposed `sgemv` for the gradient and blocked `ssyrk` updates for
/// XᵀWX (accumulated in double); the (d+1)×(d+1) Newton system is solved by Cholesky in double with a
/// backtracking step. No randomness: the same input gives the same weights.
public enum LogisticRegression {
    public struct Options: Sendable {
        /// L2 penalty λ on the standardized weights (not the bias); the loss is Σᵢ cᵢ ℓᵢ + λ/2 ‖w‖² with Σ cᵢ = n.
        public var l2: Double = 1
        public var classWeighting: ClassWeighting = .balanced
        public var maxIterations: Int = 50
        /// Stop when the relative loss decrease falls below this.
        public var tolerance: Double = 1e-9
        /// When the training set has more than twice as many rows, Newton first converges on about this many rows
        /// (a fixed pseudo-random subset, penalty scaled to it) and continues on all rows from there (0: never).
        /// Same optimum, a third of the full-data iterations.
        public var warmStartRows: Int = 65_536
        public init(l2: Double = 1, classWeighting: ClassWeighting = .balanced, maxIterations: Int = 50, tolerance: Double = 1e-9,
                    warmStartRows: Int = 65_536) {
            self.l2 = l2
            self.classWeighting = classWeighting
            self.maxIterations = maxIterations
            self.tolerance = tolerance
            self.warmStartRows = warmStartRows
        }
    }

    /// Rows of the Hessian update handed to one `ssyrk` call.
    static let block = 16_384

    /// Fits on the rows `rows` (all rows when nil) of the row-major `features` matrix (`columns` wide).
    /// Labels are 0/1. Throws when the selection lacks either class.
    public static func fit(features: UnsafeBufferPointer<Float>, columns d: Int, labels: UnsafeBufferPointer<UInt8>,
                           rows: [Int]? = nil, options: Options = Options()) throws(OeuvreError) -> LogisticFit {
        var timings = FitTimings()
        var clock = ContinuousClock.now
        func lap(_ into: inout Double) {
            let now = ContinuousClock.now
            let d = now - clock
            into += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            clock = now
        }
        let n = rows?.count ?? labels.count
        guard let fBase = features.baseAddress, let lBase = labels.baseAddress, n > 0, d > 0 else {
            throw OeuvreError(.invalidInput, "training pairs are empty")
        }
        var positives = 0
        if let rows {
            for r in rows where lBase[r] == 1 { positives += 1 }
        } else {
            for i in 0..<n where lBase[i] == 1 { positives += 1 }
        }
        guard positives > 0 else { throw OeuvreError(.invalidInput, "training pairs contain no positive (label 1) pair") }
        guard positives < n else { throw OeuvreError(.invalidInput, "training pairs contain no negative (label 0) pair") }

        // Standardization statistics in one pass (double sums shifted by the first row, so features with a
        // large mean and a small spread keep their precision).
        let firstRow = rows?[0] ?? 0
        var shift = [Double](repeating: 0, count: d)
        for j in 0..<d { shift[j] = Double(fBase[firstRow * d + j]) }
        var sum = [Double](repeating: 0, count: d)
        var sumSquares = [Double](repeating: 0, count: d)
        shift.withUnsafeBufferPointer { k in
            sum.withUnsafeMutableBufferPointer { s1 in
                sumSquares.withUnsafeMutableBufferPointer { s2 in
                    for i in 0..<n {
                        let src = fBase + (rows?[i] ?? i) * d
                        for j in 0..<d {
                            let x = Double(src[j]) - k[j]
                            s1[j] += x
                            s2[j] += x * x
                        }
                    }
                }
            }
        }
        var mean = [Double](repeating: 0, count: d)
        var std = [Double](repeating: 1, count: d)
        for j in 0..<d {
            let m = sum[j] / Double(n)
            mean[j] = shift[j] + m
            let s = max(0, sumSquares[j] / Double(n) - m * m).squareRoot()
            std[j] = s > 1e-9 ? s : 1
        }

        // Standardized design matrix with a bias column (float, row-major n × (d+1)), labels and class weights.
        let p = d + 1
        let wPos = options.classWeighting == .balanced ? Double(n) / (2 * Double(positives)) : 1
        let wNeg = options.classWeighting == .balanced ? Double(n) / (2 * Double(n - positives)) : 1
        let meanF = mean.map { Float($0) }, scaleF = std.map { Float(1 / $0) }
        var x = [Float](repeating: 0, count: n * p)
        var y = [Float](repeating: 0, count: n)
        var c = [Float](repeating: 1, count: n)
        x.withUnsafeMutableBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                c.withUnsafeMutableBufferPointer { cp in
                    meanF.withUnsafeBufferPointer { mu in
                        scaleF.withUnsafeBufferPointer { sc in
                            for i in 0..<n {
                                let r = rows?[i] ?? i
                                let src = fBase + r * d, dst = xp.baseAddress! + i * p
                                for j in 0..<d { dst[j] = (src[j] - mu[j]) * sc[j] }
                                dst[d] = 1
                                let label = lBase[r]
                                yp[i] = Float(label)
                                cp[i] = Float(label == 1 ? wPos : wNeg)
                            }
                        }
                    }
                }
            }
        }

        // Warm start: on many rows, Newton first runs to convergence on a fixed pseudo-random subset of rows (by a hash
        // of the row number: file order often follows a structure, e.g. the candidates of each line) with the penalty
        // scaled to the subset, and the full data then needs two or three iterations instead of ten.
        var beta = [Double](repeating: 0, count: p)
        var warmIterations = 0
        if options.warmStartRows > 0 && n > 2 * options.warmStartRows {
            let keep = UInt64(options.warmStartRows)
            var rowsKept: [Int] = []
            rowsKept.reserveCapacity(options.warmStartRows + options.warmStartRows / 8)
            for i in 0..<n where Trainer.mix(UInt64(i)) % UInt64(n) < keep { rowsKept.append(i) }
            let m = rowsKept.count
            var xs = [Float](repeating: 0, count: m * p)
            var ys = [Float](repeating: 0, count: m)
            var cs = [Float](repeating: 0, count: m)
            var subsetPositives = 0
            x.withUnsafeBufferPointer { xp in
                xs.withUnsafeMutableBufferPointer { xsp in
                    for (k, i) in rowsKept.enumerated() {
                        (xsp.baseAddress! + k * p).update(from: xp.baseAddress! + i * p, count: p)
                        ys[k] = y[i]
                        cs[k] = c[i]
                        if y[i] == 1 { subsetPositives += 1 }
                    }
                }
            }
            lap(&timings.setup)
            if subsetPositives > 0 && subsetPositives < m {
                var sub = options
                sub.l2 = options.l2 * Double(m) / Double(n)
                // A start only needs to be close: the full-data iterations finish the job.
                sub.tolerance = max(options.tolerance, 1e-7)
                let warm = try newton(x: xs, y: ys, c: cs, rows: m, columns: p, start: beta, options: sub, timings: &timings, clock: &clock)
                beta = warm.beta
                warmIterations = warm.iterations
            }
        }
        lap(&timings.setup)
        let result = try newton(x: x, y: y, c: c, rows: n, columns: p, start: beta, options: options, timings: &timings, clock: &clock)
        return LogisticFit(weights: Array(result.beta[0..<d]), bias: result.beta[d], mean: mean, std: std, iterations: result.iterations,
                           converged: result.converged, loss: result.loss / Double(n), warmStartIterations: warmIterations,
                           timings: timings)
    }

    /// Newton / IRLS on a standardized design matrix `x` (rows × columns, the last column the bias) from `start`.
    /// Returns the coefficients, the penalized loss (sum over rows), the iterations and whether it converged.
    static func newton(x: [Float], y: [Float], c: [Float], rows n: Int, columns p: Int, start: [Double], options: Options,
                       timings: inout FitTimings, clock: inout ContinuousClock.Instant) throws(OeuvreError)
        -> (beta: [Double], loss: Double, iterations: Int, converged: Bool) {
        func lap(_ into: inout Double) {
            let now = ContinuousClock.now
            let e = now - clock
            into += Double(e.components.seconds) + Double(e.components.attoseconds) * 1e-18
            clock = now
        }
        let d = p - 1
        var beta = start
        var z = [Float](repeating: 0, count: n)
        var r = [Float](repeating: 0, count: n)
        var s = [Float](repeating: 0, count: n)
        var gradF = [Float](repeating: 0, count: p)
        var hBlock = [Float](repeating: 0, count: p * p)
        var zBlock = [Float](repeating: 0, count: min(n, block) * p)
        let lambda = max(0, options.l2)

        func loss(_ b: [Double], margins: inout [Float]) -> Double {
            let bf = b.map { Float($0) }
            var total = 0.0
            x.withUnsafeBufferPointer { xp in
                bf.withUnsafeBufferPointer { bp in
                    margins.withUnsafeMutableBufferPointer { zp in
                        BLAS.gemv(m: n, n: p, a: xp.baseAddress!, x: bp.baseAddress!, y: zp.baseAddress!)
                        y.withUnsafeBufferPointer { yp in
                            c.withUnsafeBufferPointer { cp in
                                var chunk: Float = 0
                                for i in 0..<n {
                                    let zi = zp[i]
                                    // softplus(z) − y·z, stable; summed in float chunks of 1024, then in double.
                                    let sp = zi > 0 ? zi + log1pf(expf(-zi)) : log1pf(expf(zi))
                                    chunk += cp[i] * (sp - yp[i] * zi)
                                    if i & 1023 == 1023 { total += Double(chunk); chunk = 0 }
                                }
                                total += Double(chunk)
                            }
                        }
                    }
                }
            }
            var pen = 0.0
            for j in 0..<d { pen += b[j] * b[j] }
            return total + 0.5 * lambda * pen
        }

        var current = loss(beta, margins: &z)
        lap(&timings.margins)
        var iterations = 0
        var converged = false
        while iterations < options.maxIterations {
            iterations += 1
            // Residuals and curvature weights.
            z.withUnsafeBufferPointer { zp in
                r.withUnsafeMutableBufferPointer { rp in
                    s.withUnsafeMutableBufferPointer { sp in
                        y.withUnsafeBufferPointer { yp in
                            c.withUnsafeBufferPointer { cp in
                                for i in 0..<n {
                                    let pi = 1 / (1 + expf(-zp[i]))
                                    rp[i] = cp[i] * (pi - yp[i])
                                    sp[i] = (cp[i] * pi * (1 - pi)).squareRoot()
                                }
                            }
                        }
                    }
                }
            }
            x.withUnsafeBufferPointer { xp in
                r.withUnsafeBufferPointer { rp in
                    gradF.withUnsafeMutableBufferPointer { gp in
                        BLAS.gemvTransposed(m: n, n: p, a: xp.baseAddress!, x: rp.baseAddress!, y: gp.baseAddress!)
                    }
                }
            }
            var grad = gradF.map(Double.init)
            for j in 0..<d { grad[j] += lambda * beta[j] }
            lap(&timings.gradient)

            // XᵀWX: rows scaled by √wᵢ in blocks, one ssyrk per block, accumulated in double.
            var hess = [Double](repeating: 0, count: p * p)
            var start = 0
            while start < n {
                let m = min(block, n - start)
                x.withUnsafeBufferPointer { xp in
                    s.withUnsafeBufferPointer { sp in
                        zBlock.withUnsafeMutableBufferPointer { zb in
                            for i in 0..<m {
                                let si = sp[start + i]
                                let src = xp.baseAddress! + (start + i) * p, dst = zb.baseAddress! + i * p
                                for j in 0..<p { dst[j] = si * src[j] }
                            }
                        }
                    }
                }
                zBlock.withUnsafeBufferPointer { zp in
                    hBlock.withUnsafeMutableBufferPointer { hp in
                        BLAS.syrkAtA(m: m, n: p, a: zp.baseAddress!, c: hp.baseAddress!)
                    }
                }
                for a in 0..<p { for b in a..<p { hess[a * p + b] += Double(hBlock[a * p + b]) } }
                start += m
            }
            for a in 0..<p { for b in 0..<a { hess[a * p + b] = hess[b * p + a] } }
            for j in 0..<d { hess[j * p + j] += lambda }
            // A tiny ridge keeps the system positive definite when a feature never varies or classes separate.
            for j in 0..<p { hess[j * p + j] += 1e-8 * Double(n) }
            lap(&timings.hessian)

            guard grad.allSatisfy(\.isFinite) else {
                throw OeuvreError(.invalidInput, "logistic regression: the gradient is not finite (a feature holds NaN or an infinite value)")
            }
            // Cholesky; when rounding leaves the system barely indefinite (near-duplicate features at
            // millions of rows), retry with a growing diagonal jitter instead of giving up on the fit.
            var solved = choleskySolve(hess, grad, size: p)
            if solved == nil {
                var trace = 0.0
                for j in 0..<p { trace += hess[j * p + j] }
                var jitter = 1e-10 * max(trace / Double(p), 1e-12)
                for _ in 0..<8 where solved == nil {
                    var h = hess
                    for j in 0..<p { h[j * p + j] += jitter }
                    solved = choleskySolve(h, grad, size: p)
                    jitter *= 100
                }
            }
            guard let step = solved else {
                throw OeuvreError(.invalidInput, "logistic regression: the curvature matrix is not positive definite even with a ridge (iteration \(iterations))")
            }
            lap(&timings.solve)
            // Newton decrement: the decrease a full step promises. Below the tolerance the fit has converged; the
            // step is taken without a line search, which could only chase rounding noise in the float loss.
            var decrement = 0.0
            for j in 0..<p { decrement += grad[j] * step[j] }
            if decrement.isFinite && decrement / 2 <= options.tolerance * max(1, current) {
                for j in 0..<p { beta[j] -= step[j] }
                current = loss(beta, margins: &z)
                lap(&timings.margins)
                converged = true
                break
            }
            var t = 1.0
            var candidate = beta
            var next = current
            var accepted = false
            for _ in 0..<30 {
                for j in 0..<p { candidate[j] = beta[j] - t * step[j] }
                next = loss(candidate, margins: &z)
                if next <= current { accepted = true; break }
                t *= 0.5
            }
            if !accepted {
                guard next.isFinite else {
                    throw OeuvreError(.invalidInput, "logistic regression: the loss is not finite along the Newton step (iteration \(iterations))")
                }
                _ = loss(beta, margins: &z)
                lap(&timings.margins)
                converged = true
                break
            }
            lap(&timings.margins)
            let decrease = current - next
            beta = candidate
            let previous = current
            current = next
            var maxStep = 0.0
            for j in 0..<p { maxStep = max(maxStep, abs(t * step[j])) }
            if decrease <= options.tolerance * max(1, previous) || maxStep < 1e-9 {
                converged = true
                break
            }
        }
        return (beta, current, iterations, converged)
    }

    /// Solves A·x = b for a symmetric positive definite A (size × size, row-major) by Cholesky; nil if not SPD.
    static func choleskySolve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }
            x[i] = s / l[i * n + i]
        }
        return x
    }

    /// Platt scaling: fits p = σ(a·z + b) to labels by Newton's method (unweighted, tiny ridge). Returns nil
    /// when the labels hold a single class.
    public static func platt(margins: [Double], labels: [UInt8]) -> (a: Double, b: Double)? {
        let pos = labels.reduce(0) { $0 + Int($1) }
        guard pos > 0 && pos < labels.count else { return nil }
        var a = 1.0, b = 0.0
        func objective(_ a: Double, _ b: Double) -> Double {
            var l = 0.0
            for (i, z) in margins.enumerated() {
                let u = a * z + b
                let sp = u > 0 ? u + log1p(exp(-u)) : log1p(exp(u))
                l += sp - Double(labels[i]) * u
            }
            return l + 1e-6 * (a * a + b * b)
        }
        var current = objective(a, b)
        for _ in 0..<100 {
            var ga = 2e-6 * a, gb = 2e-6 * b, haa = 2e-6, hab = 0.0, hbb = 2e-6
            for (i, z) in margins.enumerated() {
                let p = 1 / (1 + exp(-(a * z + b)))
                let r = p - Double(labels[i])
                let w = p * (1 - p)
                ga += r * z; gb += r
                haa += w * z * z; hab += w * z; hbb += w
            }
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = (hbb * ga - hab * gb) / det
            let db = (haa * gb - hab * ga) / det
            var t = 1.0
            var accepted = false
            for _ in 0..<30 {
                let next = objective(a - t * da, b - t * db)
                if next <= current {
                    accepted = true
                    a -= t * da; b -= t * db
                    let dec = current - next
                    current = next
                    if dec < 1e-12 * max(1, current) { return (a, b) }
                    break
                }
                t *= 0.5
            }
            if !accepted { break }
        }
        return (a, b)
    }
}

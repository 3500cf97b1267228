# Training curve of `make train`: held-out perplexity per byte and training loss
# (as perplexity) against the optimizer step. Usage:
#   gnuplot -e "in='curve.txt'; out='x.png'" [-e "in2='second.curve'; name2='seed 20'"]
# in2 adds a second run's held-out curve (the reproduction run of docs/train.md).
set terminal pngcairo size 800,480
set output out
set title "tern train: byte-level BitNet b1.58 on the KJV (ternary weights, int8 activations)"
set xlabel "optimizer step (8 x 128 bytes each)"
set ylabel "perplexity per byte"
set logscale y
set ytics (3, 4, 5, 6, 8, 10, 12, 16)
set yrange [2.5:16]
set grid
set key top right
if (exists("in2")) {
	plot in using 1:(exp($2)) with linespoints title "training batch", \
	     in using 1:3 with linespoints title "held-out (32 windows)", \
	     in2 using 1:3 with linespoints title "held-out, ".name2, \
	     8 with lines dashtype 2 title "target 8"
} else {
	plot in using 1:(exp($2)) with linespoints title "training batch", \
	     in using 1:3 with linespoints title "held-out (32 windows)", \
	     8 with lines dashtype 2 title "target 8"
}

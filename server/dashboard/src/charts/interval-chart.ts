/** Conversion rate per variant with its 95% interval (d3): a dot and a line per variant. */
import * as d3 from 'd3';
import type { VariantResult } from '../api.js';
import { seriesColors } from './colors.js';

const margin = { top: 12, right: 24, bottom: 28, left: 90 };

export function intervalChart(variants: readonly VariantResult[], width = 600): SVGSVGElement {
  const height = margin.top + margin.bottom + variants.length * 30;
  const x = d3.scaleLinear().domain([0, Math.min(1, (d3.max(variants, (variant) => variant.interval[1]) ?? 1) * 1.1) || 1]).range([margin.left, width - margin.right]);
  const y = d3.scaleBand().domain(variants.map((variant) => variant.variant)).range([margin.top, height - margin.bottom]).padding(0.4);
  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('class', 'chart interval-chart').attr('role', 'img')
    .attr('aria-label', `Conversion by variant: ${variants.map((variant) => `${variant.variant} ${(variant.conversionRate * 100).toFixed(1)}%`).join(', ')}`);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom})`).call(d3.axisBottom(x).ticks(5, '%'));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${margin.left},0)`).call(d3.axisLeft(y));
  variants.forEach((variant, index) => {
    const middle = y(variant.variant)! + y.bandwidth() / 2;
    const color = seriesColors[index % seriesColors.length]!;
    svg.append('line').attr('x1', x(variant.interval[0])).attr('x2', x(variant.interval[1])).attr('y1', middle).attr('y2', middle).attr('stroke', color).attr('stroke-width', 3);
    svg.append('circle').attr('cx', x(variant.conversionRate)).attr('cy', middle).attr('r', 5).attr('fill', color);
  });
  return svg.node()!;
}
